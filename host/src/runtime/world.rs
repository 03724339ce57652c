//! Which of our worlds a component implements, and at which version.
//!
//! Read from the component's type (its export and import names), before any
//! instantiation, so `plugin inspect` and validation can refuse a component
//! built against another contract with a message that names both versions.

use super::error::PluginError;
use wasmtime::Engine;
use wasmtime::component::Component;

/// The WIT package every model component implements.
pub const WIT_PACKAGE: &str = "hft:strategy";
/// The version of that package this host is built against. Components built
/// against it or an earlier release on its track (`0.1.0` to `0.1.1`) are
/// accepted; see [`wit_version_fits`] and `wit/README.md` for the policy.
pub const WIT_VERSION: &str = "0.1.1";

/// The kinds of model component, one per world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// `hedge-ratio-model`, exporting `hedge-ratio`.
    HedgeRatio,
    /// `volatility-model`, exporting `volatility`.
    Volatility,
    /// `changepoint-model`, exporting `changepoint`.
    Changepoint,
}

impl ModelKind {
    /// Every kind, in a stable order.
    pub const ALL: [ModelKind; 3] = [ModelKind::HedgeRatio, ModelKind::Volatility, ModelKind::Changepoint];

    /// The exported interface's name within the package.
    pub fn interface(self) -> &'static str {
        match self {
            ModelKind::HedgeRatio => "hedge-ratio",
            ModelKind::Volatility => "volatility",
            ModelKind::Changepoint => "changepoint",
        }
    }

    /// The world's name within the package.
    pub fn world(self) -> &'static str {
        match self {
            ModelKind::HedgeRatio => "hedge-ratio-model",
            ModelKind::Volatility => "volatility-model",
            ModelKind::Changepoint => "changepoint-model",
        }
    }

    /// The per-step input columns `model run` feeds, in call order.
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            ModelKind::HedgeRatio => &["x", "y"],
            ModelKind::Volatility => &["ret"],
            ModelKind::Changepoint => &["x"],
        }
    }
}

/// What a component is: one of the model kinds, or a trading strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// A model world (`hedge-ratio-model`, `volatility-model`, `changepoint-model`).
    Model(ModelKind),
    /// `trading-strategy`, exporting `strategy`.
    Strategy,
}

impl ComponentKind {
    /// Every kind, in a stable order.
    pub const ALL: [ComponentKind; 4] = [
        ComponentKind::Model(ModelKind::HedgeRatio),
        ComponentKind::Model(ModelKind::Volatility),
        ComponentKind::Model(ModelKind::Changepoint),
        ComponentKind::Strategy,
    ];

    /// The exported interface's name within the package.
    pub fn interface(self) -> &'static str {
        match self {
            ComponentKind::Model(k) => k.interface(),
            ComponentKind::Strategy => "strategy",
        }
    }

    /// The world's name within the package.
    pub fn world(self) -> &'static str {
        match self {
            ComponentKind::Model(k) => k.world(),
            ComponentKind::Strategy => "trading-strategy",
        }
    }

    /// The model kind, if this is a model.
    pub fn model(self) -> Option<ModelKind> {
        match self {
            ComponentKind::Model(k) => Some(k),
            ComponentKind::Strategy => None,
        }
    }
}

impl From<ModelKind> for ComponentKind {
    fn from(k: ModelKind) -> ComponentKind {
        ComponentKind::Model(k)
    }
}

impl std::fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.world())
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.world())
    }
}

/// What a component's type says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldMatch {
    /// The world it implements.
    pub kind: ComponentKind,
    /// The package version it was built against, for example `0.1.0`.
    pub version: String,
    /// Everything it imports: WASI (granted with no capabilities) and our
    /// type-only `types` interface.
    pub imports: Vec<String>,
}

/// Each of our interfaces among `exports` (instance names such as
/// `hft:strategy/hedge-ratio@0.1.0`), with the version it was built for:
/// what the loader and the registry's validation both decide a world from.
pub(crate) fn our_interfaces(exports: &[String]) -> Vec<(ComponentKind, String)> {
    let mut found = Vec::new();
    for name in exports {
        let Some(rest) = name.strip_prefix(WIT_PACKAGE).and_then(|r| r.strip_prefix('/')) else { continue };
        let (iface, version) = rest.split_once('@').unwrap_or((rest, ""));
        if let Some(kind) = ComponentKind::ALL.into_iter().find(|k| k.interface() == iface) {
            found.push((kind, version.to_string()));
        }
    }
    found
}

impl WorldMatch {
    /// Find the one world `component` implements, or say precisely why none.
    pub fn detect(engine: &Engine, component: &Component) -> Result<WorldMatch, PluginError> {
        let ty = component.component_type();
        let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
        let imports: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_string()).collect();

        let found = our_interfaces(&exports);
        let (kind, version) = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(PluginError::Incompatible(format!(
                    "the component exports none of {WIT_PACKAGE}/{{hedge-ratio,volatility,changepoint,strategy}}; it exports [{}]",
                    exports.join(", ")
                )));
            }
            many => {
                let names: Vec<String> = many.iter().map(|(k, _)| k.interface().to_string()).collect();
                return Err(PluginError::Incompatible(format!(
                    "the component exports several of our interfaces ({}); a component implements exactly one world",
                    names.join(", ")
                )));
            }
        };
        wit_version_fits(&version).map_err(|e| PluginError::Incompatible(format!("the component {e}")))?;
        let granted = |i: &String| i.starts_with("wasi:") || i.starts_with(&format!("{WIT_PACKAGE}/types@"));
        if let Some(bad) = imports.iter().find(|i| !granted(i)) {
            return Err(PluginError::Incompatible(format!(
                "the component imports {bad}, which the host does not grant; a model may import only \
                 {WIT_PACKAGE}/types (type definitions) and WASI, which it gets with no capabilities"
            )));
        }
        Ok(WorldMatch { kind, version, imports })
    }
}

/// Why a component's WIT version does not run on this host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionMismatch {
    /// Another compatibility track: another major, or for `0.y` another `y`.
    #[error(
        "was built against {WIT_PACKAGE}@{found} but this host expects {WIT_PACKAGE}@{WIT_VERSION} (or an earlier {})",
        track_text()
    )]
    OtherTrack {
        /// The version it was built against.
        found: String,
    },
    /// The same track, but a later release than this host's: it may rely
    /// on an addition this host would never call.
    #[error(
        "was built against {WIT_PACKAGE}@{found}, newer than this host's {WIT_PACKAGE}@{WIT_VERSION}: upgrade hft-host, \
         or build the component against {WIT_VERSION} (wit/ of this host's checkout)"
    )]
    Newer {
        /// The version it was built against.
        found: String,
    },
    /// No version, or not a semver version.
    #[error(
        "was built against {WIT_PACKAGE} with no readable version ({found:?}); this host expects {WIT_PACKAGE}@{WIT_VERSION}"
    )]
    Unreadable {
        /// What the export name carried after `@`.
        found: String,
    },
}

/// `(major, minor, patch)` of a `x.y.z[-pre][+build]` version.
fn semver(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.');
    let parsed = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    it.next().is_none().then_some(parsed)
}

/// This host's compatibility track as people read it: `0.1.x`.
fn track_text() -> String {
    match semver(WIT_VERSION) {
        Some((0, minor, _)) => format!("0.{minor}.x"),
        Some((major, _, _)) => format!("{major}.x"),
        None => WIT_VERSION.to_string(),
    }
}

/// Whether a component built against `version` runs on this host. Semver's
/// compatibility rule as Cargo and wasmtime read it: the track is the major
/// number, or below 1.0 the minor (`0.1`); within a track a release only
/// adds, so the host runs anything built against its own release or an
/// earlier one (wasmtime finds an export named `@0.1.0` when the host asks
/// for `@0.1.1`). A later release on the track is refused too: the host
/// would not call what it added.
pub fn wit_version_fits(version: &str) -> Result<(), VersionMismatch> {
    let (Some(found), Some(ours)) = (semver(version), semver(WIT_VERSION)) else {
        return Err(VersionMismatch::Unreadable { found: version.to_string() });
    };
    let track = |(major, minor, _): (u64, u64, u64)| if major == 0 { (0, minor) } else { (major, 0) };
    if track(found) != track(ours) {
        Err(VersionMismatch::OtherTrack { found: version.to_string() })
    } else if found > ours {
        Err(VersionMismatch::Newer { found: version.to_string() })
    } else {
        Ok(())
    }
}

impl WorldMatch {
    /// Refuse to use a component as a kind it does not implement.
    pub fn expect(&self, kind: ModelKind) -> Result<(), PluginError> {
        self.expect_kind(ComponentKind::Model(kind))
    }

    /// Refuse to use a component as a kind it does not implement.
    pub fn expect_kind(&self, kind: ComponentKind) -> Result<(), PluginError> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(PluginError::Incompatible(format!("the component implements {}, not {kind}", self.kind)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_policy() {
        assert_eq!(WIT_VERSION, "0.1.1");
        for ok in ["0.1.0", "0.1.1", "0.1.1+build"] {
            assert_eq!(wit_version_fits(ok), Ok(()), "{ok}");
        }
        for other in ["0.2.0", "1.1.0", "0.0.1"] {
            assert!(matches!(wit_version_fits(other), Err(VersionMismatch::OtherTrack { .. })), "{other}");
        }
        let newer = wit_version_fits("0.1.2").unwrap_err().to_string();
        assert!(newer.contains("hft:strategy@0.1.2, newer than this host's hft:strategy@0.1.1"), "{newer}");
        for bad in ["", "garbage", "0.1", "0.1.0.1"] {
            assert!(matches!(wit_version_fits(bad), Err(VersionMismatch::Unreadable { .. })), "{bad:?}");
        }
        let other = wit_version_fits("0.2.0").unwrap_err().to_string();
        assert!(other.contains("expects hft:strategy@0.1.1 (or an earlier 0.1.x)"), "{other}");
    }
}
