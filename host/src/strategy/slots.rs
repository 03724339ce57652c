//! A strategy component on wiring made for another one.
//!
//! A challenger's or a backtested strategy runs on the champion's
//! `[strategy]` legs and signals. It may read fewer of them than the
//! champion does (a strategy using only the z-score is a valid
//! challenger); it may not read one the champion's wiring lacks, since
//! nothing would feed it.

use super::Slot;
use std::collections::BTreeMap;
use thiserror::Error;

/// A leg or signal the component reads that the wiring does not map.
#[derive(Debug, Error)]
#[error("{component} reads the {what} {name:?} ({description}), which is not wired (the wiring maps: {wired})")]
pub struct UnwiredSlot {
    /// `leg` or `signal`.
    pub what: &'static str,
    /// The component's name.
    pub component: String,
    /// The slot it declares.
    pub name: String,
    /// The slot's description, as the component gives it.
    pub description: String,
    /// The names the wiring maps, comma-separated.
    pub wired: String,
}

/// The entries of `wired` that `declared` reads, and no others.
pub fn fit_slots(
    what: &'static str,
    component: &str,
    declared: &[Slot],
    wired: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, UnwiredSlot> {
    declared
        .iter()
        .map(|slot| match wired.get(&slot.name) {
            Some(source) => Ok((slot.name.clone(), source.clone())),
            None => Err(UnwiredSlot {
                what,
                component: component.to_string(),
                name: slot.name.clone(),
                description: slot.description.clone(),
                wired: wired.keys().cloned().collect::<Vec<_>>().join(", "),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn slot(name: &str) -> Slot {
        Slot { name: name.into(), description: format!("the {name}") }
    }

    fn wired() -> BTreeMap<String, String> {
        [("zscore", "kalman.zscore"), ("hedge-ratio", "kalman.beta"), ("vol-forecast", "garch.vol")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keeps_only_what_the_component_reads() {
        let fitted = fit_slots("signal", "z-only", &[slot("zscore")], &wired()).unwrap();
        assert_eq!(fitted.into_iter().collect::<Vec<_>>(), vec![("zscore".to_string(), "kalman.zscore".to_string())]);
    }

    #[test]
    fn refuses_a_slot_nothing_feeds_by_name() {
        let err = fit_slots("signal", "wants-depth", &[slot("zscore"), slot("depth")], &wired()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("wants-depth reads the signal \"depth\" (the depth)"), "{msg}");
        assert!(msg.contains("hedge-ratio, vol-forecast, zscore"), "{msg}");
    }
}
