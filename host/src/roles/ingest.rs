//! The ingest role: the run's market data into the market-data topic.

use super::{Probe, RoleError};
use crate::config::{RunConfig, Speed, WebSocketSource};
use crate::ingest::{EventSink, PacedReplayError, SinkClosed, WsIngest, WsIngestConfig, replay_paced};
use crate::telemetry::{Heartbeat, Telemetry};
use hft_bus::bus::{BusError, EventBus, Producer};
use hft_bus::kafka::KafkaBus;
use hft_bus::metrics::BusMetrics;
use hft_bus::topics::TopicsConfig;
use hft_bus::typed::Publisher;
use hft_bus::wire::{Envelope, MarketData, MessageId};
use hft_trading::domain::Venue;
use hft_trading::market::{MarketEvent, ReadStats, Replay};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an ingest run did.
#[derive(Debug, Clone)]
pub struct IngestSummary {
    /// Events published.
    pub published: u64,
    /// What each source read, bad rows included.
    pub read_stats: Vec<ReadStats>,
    /// Wall time of the replay and the final flush.
    pub wall: Duration,
}

/// The message id of a market event: the same event gets the same id on
/// every run, so a consumer that sees a replay twice drops the copies.
/// `seq` tells apart events of one instrument with one timestamp (the
/// n-th such event in the file).
pub fn market_data_id(event: &MarketEvent, seq: u32) -> MessageId {
    let id = event.instrument();
    MessageId::derive(
        "market-data",
        &[id.venue.0.as_bytes(), id.symbol.0.as_bytes(), &event.ts().nanos().to_le_bytes(), &seq.to_le_bytes()],
    )
}

/// Publishes each event it is given, with its stable id.
struct PublishSink<P: Producer> {
    publisher: Publisher<P>,
    last: Option<(hft_trading::domain::InstrumentId, hft_trading::domain::Timestamp)>,
    seq: u32,
    published: u64,
    error: Option<BusError>,
    probe: Option<Arc<dyn Probe>>,
}

impl<P: Producer> EventSink for PublishSink<P> {
    fn deliver(&mut self, event: MarketEvent) -> Result<(), SinkClosed> {
        let key = (event.instrument().clone(), event.ts());
        self.seq = if self.last.as_ref() == Some(&key) { self.seq + 1 } else { 0 };
        self.last = Some(key);
        let env = Envelope::new(market_data_id(&event, self.seq), MarketData(event));
        match self.publisher.publish(&env) {
            Ok(()) => {
                self.published += 1;
                if let Some(p) = &self.probe {
                    p.published(&env.body.0);
                }
                Ok(())
            }
            Err(e) => {
                self.error = Some(e);
                Err(SinkClosed)
            }
        }
    }
}

/// Publish what a WebSocket stream delivers until `max_events` (or until
/// the client gives up), then flush.
fn from_websocket<P: Producer>(ws: &WebSocketSource, mut sink: PublishSink<P>) -> Result<IngestSummary, RoleError> {
    let mut cfg = WsIngestConfig::new(ws.url.clone(), Venue::new(&ws.venue));
    cfg.subscribe = ws.subscribe.clone();
    cfg.ca_file = ws.ca_file.clone();
    let client = WsIngest::new(cfg).map_err(|e| RoleError::Config(format!("[ingest.websocket]: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RoleError::Config(format!("cannot start the WebSocket runtime: {e}")))?;
    let start = Instant::now();
    let stats = runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let handle = client.spawn(tx);
        while let Some(event) = rx.recv().await {
            if sink.deliver(event).is_err() {
                break;
            }
            if ws.max_events.is_some_and(|n| sink.published >= n) {
                break;
            }
        }
        handle.stop().await
    });
    if let Some(e) = sink.error.take() {
        return Err(e.into());
    }
    let stats = stats.map_err(|e| RoleError::Config(format!("[ingest.websocket] {}: {e}", ws.url)))?;
    tracing::info!(
        messages = stats.messages,
        malformed = stats.malformed,
        reconnects = stats.reconnects,
        tls_failures = stats.tls_failures,
        "websocket ingest stopped"
    );
    sink.publisher.flush(Duration::from_secs(30))?;
    let mut read = ReadStats::new(ws.url.clone(), 0);
    read.rows_read = stats.messages;
    read.events = stats.events;
    read.bad_rows = stats.malformed;
    Ok(IngestSummary { published: sink.published, read_stats: vec![read], wall: start.elapsed() })
}

/// Topics with the run's strategy legs keyed together, so both legs of a
/// pair reach the same consumer in the same order.
pub fn run_topics(config: &RunConfig) -> TopicsConfig {
    let legs: Vec<&str> = config.strategy.legs.values().map(|s| s.rsplit(':').next().unwrap_or(s)).collect();
    let key = legs.join("/");
    if legs.len() > 1 { config.bus.topics.clone().with_pair(&legs, &key) } else { config.bus.topics.clone() }
}

/// Publish the run's market data into the market-data topic of the Kafka
/// cluster in `[bus]`, then flush: the `[ingest.websocket]` stream when one
/// is configured, else the `[[data]]` files replayed at `speed`.
/// Each event published beats `telemetry`'s heartbeat.
pub fn ingest(config: &RunConfig, speed: Speed, telemetry: &Telemetry) -> Result<IngestSummary, RoleError> {
    let kafka = config.bus.kafka.clone().ok_or_else(|| {
        RoleError::Config("the ingest role publishes to Kafka: set [bus.kafka] bootstrap_servers".to_string())
    })?;
    let beat = Arc::new(BeatOnPublish(telemetry.heartbeat().clone()));
    ingest_on(config, &KafkaBus::new(kafka), speed, Some(beat))
}

/// Keeps `/health` alive while events flow.
struct BeatOnPublish(Heartbeat);

impl Probe for BeatOnPublish {
    fn published(&self, _: &MarketEvent) {
        self.0.beat();
    }
}

/// [`ingest`] onto any bus (the in-process one in tests), telling `probe`
/// about each event published.
pub fn ingest_on<B: EventBus>(
    config: &RunConfig,
    bus: &B,
    speed: Speed,
    probe: Option<Arc<dyn Probe>>,
) -> Result<IngestSummary, RoleError> {
    let topics = Arc::new(run_topics(config));
    topics.validate().map_err(|e| RoleError::Config(format!("[bus.topics]: {e}")))?;
    bus.ensure_topics(&topics)?;
    let publisher = Publisher::new(bus.producer()?, topics, config.bus.format, Arc::new(BusMetrics::default()));
    let mut sink = PublishSink { publisher, last: None, seq: 0, published: 0, error: None, probe };
    if let Some(ws) = &config.ingest.websocket {
        return from_websocket(ws, sink);
    }
    let mut replay = Replay::open(&config.data, Path::new(""))?;
    let start = Instant::now();
    match replay_paced(&mut replay, speed, &mut sink) {
        Ok(_) => {}
        Err(PacedReplayError::Data(e)) => return Err(e.into()),
        Err(PacedReplayError::SinkClosed(_)) => {
            return Err(sink.error.take().map_or_else(|| RoleError::Config("the bus closed".into()), RoleError::Bus));
        }
    }
    sink.publisher.flush(Duration::from_secs(30))?;
    let read_stats = replay.stats().into_iter().cloned().collect();
    Ok(IngestSummary { published: sink.published, read_stats, wall: start.elapsed() })
}
