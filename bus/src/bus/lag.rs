use super::Consumer;
use std::time::{Duration, Instant};

/// Samples a consumer's lag ([`Consumer::lag`]) for a metric, from the
/// consuming loop, at most once per `every`.
///
/// Against Kafka a lag query is a round trip to the brokers per owned
/// partition, made on the thread that consumes: sampling it once a second
/// keeps that cost off almost every message, and is as often as a metric
/// scraped every few seconds can use. A query that fails (a broker slow or
/// away) is logged at debug and skipped: the lag is there to watch the
/// role, never a reason to stop it.
#[derive(Debug, Clone)]
pub struct LagReporter {
    every: Duration,
    timeout: Duration,
    last: Option<Instant>,
}

impl LagReporter {
    /// Once a second, each query given up after 250 ms: what the roles use.
    pub const DEFAULT_EVERY: Duration = Duration::from_secs(1);
    /// See [`LagReporter::DEFAULT_EVERY`].
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

    /// Samples at most once per `every`, each query given up after `timeout`.
    pub fn new(every: Duration, timeout: Duration) -> LagReporter {
        LagReporter { every, timeout, last: None }
    }

    /// If a sample is due (the first call, `every` since the last attempt,
    /// or `force`, e.g. on the last pass of a role so its final lag is
    /// exact), queries `consumer` and hands each topic's lag to `set`.
    /// Returns whether it did; `false` if it was not due or the query
    /// failed.
    pub fn report<C: Consumer + ?Sized>(&mut self, consumer: &C, force: bool, mut set: impl FnMut(&str, u64)) -> bool {
        let due = force || self.last.is_none_or(|at| at.elapsed() >= self.every);
        if !due {
            return false;
        }
        self.last = Some(Instant::now());
        match consumer.lag(self.timeout) {
            Ok(lags) => {
                for (topic, lag) in &lags {
                    set(topic, *lag);
                }
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "consumer lag not available; skipped");
                false
            }
        }
    }
}

impl Default for LagReporter {
    fn default() -> LagReporter {
        LagReporter::new(LagReporter::DEFAULT_EVERY, LagReporter::DEFAULT_TIMEOUT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{BusError, CommitPosition, Delivery};
    use rdkafka::error::{KafkaError, RDKafkaErrorCode};

    /// A consumer whose brokers do not answer lag queries in time.
    struct Unreachable;

    impl Consumer for Unreachable {
        fn poll(&mut self, _timeout: Duration) -> Result<Option<Delivery>, BusError> {
            Ok(None)
        }

        fn commit_up_to(&mut self, _positions: &[CommitPosition]) -> Result<(), BusError> {
            Ok(())
        }

        fn assignment(&self) -> Result<Vec<(String, i32)>, BusError> {
            Ok(Vec::new())
        }

        fn lag(&self, _timeout: Duration) -> Result<Vec<(String, u64)>, BusError> {
            Err(BusError::Kafka(KafkaError::MetadataFetch(RDKafkaErrorCode::OperationTimedOut)))
        }
    }

    #[test]
    fn a_failed_query_is_skipped_and_retried_after_the_interval() {
        let mut r = LagReporter::new(Duration::from_millis(30), Duration::ZERO);
        assert!(!r.report(&Unreachable, false, |_, _| panic!("nothing to set")));
        assert!(r.last.is_some(), "counted as an attempt: not retried on every message");
        let attempted = r.last;
        assert!(!r.report(&Unreachable, false, |_, _| panic!("nothing to set")));
        assert_eq!(r.last, attempted, "not due yet");
        std::thread::sleep(Duration::from_millis(40));
        assert!(!r.report(&Unreachable, false, |_, _| panic!("nothing to set")));
        assert!(r.last > attempted, "tried again once due");
    }
}
