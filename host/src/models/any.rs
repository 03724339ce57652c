//! Any model component behind one interface: columns in, columns out.
//!
//! `model run`, benchmarks and reference tests stream data through whatever
//! component they are given. The kind decides which input columns are fed
//! (see [`ModelKind::inputs`]) and which output columns come back (the WIT
//! record's fields, in declaration order, as [`ModelKind::outputs`]).

use super::volatility::{READY, REFITTED};
use super::{ChangepointModel, HedgeRatioModel, VolatilityModel};
use crate::runtime::bindings::types::Param;
use crate::runtime::{GuestError, LoadedComponent, ModelKind, PluginError};

/// A batch of per-step outputs as named columns.
#[derive(Debug, Clone, PartialEq)]
pub struct StepColumns {
    /// Column names, as [`ModelKind::outputs`].
    pub names: &'static [&'static str],
    /// One vector per name, all of the batch's length. Flags are 0 or 1.
    pub columns: Vec<Vec<f64>>,
}

impl StepColumns {
    /// The column called `name`, if the model has one.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.names.iter().position(|n| *n == name).map(|i| self.columns[i].as_slice())
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ModelKind {
    /// Output column names, the fields of the kind's per-step WIT record.
    pub fn outputs(self) -> &'static [&'static str] {
        match self {
            ModelKind::HedgeRatio => &[
                "pred_alpha",
                "pred_beta",
                "pred_y",
                "innovation",
                "innovation_var",
                "zscore",
                "alpha",
                "beta",
                "p_aa",
                "p_ab",
                "p_bb",
                "loglik",
            ],
            ModelKind::Volatility => &["variance", "forecast", "mean", "std_resid", "loglik", "ready", "refitted"],
            ModelKind::Changepoint => {
                &["change_prob", "map_length", "segment_mean", "segment_var", "pruned_mass", "hypotheses"]
            }
        }
    }
}

/// A model of any kind.
pub enum AnyModel {
    /// A hedge-ratio model.
    HedgeRatio(HedgeRatioModel),
    /// A volatility model.
    Volatility(VolatilityModel),
    /// A changepoint model.
    Changepoint(ChangepointModel),
}

/// One flag of a packed `step-batch` status column, as 0 or 1.
fn flag(packed: &[u8], bit: u8) -> Vec<f64> {
    packed.iter().map(|f| if f & bit != 0 { 1.0 } else { 0.0 }).collect()
}

fn counts(v: Vec<u32>) -> Vec<f64> {
    v.into_iter().map(f64::from).collect()
}

impl AnyModel {
    /// Instantiate `component` as whatever kind it is and create a model.
    pub fn create(component: &LoadedComponent, params: &[Param]) -> Result<AnyModel, PluginError> {
        let kind = component.world.kind.model().ok_or_else(|| {
            PluginError::Incompatible(format!("the component implements {}, not a model world", component.world.kind))
        })?;
        Ok(match kind {
            ModelKind::HedgeRatio => AnyModel::HedgeRatio(HedgeRatioModel::create(component, params)?),
            ModelKind::Volatility => AnyModel::Volatility(VolatilityModel::create(component, params)?),
            ModelKind::Changepoint => AnyModel::Changepoint(ChangepointModel::create(component, params)?),
        })
    }

    /// Instantiate `component` and rebuild its model from `snapshot` (the
    /// bytes of an earlier [`AnyModel::snapshot`]).
    pub fn restore(component: &LoadedComponent, snapshot: &[u8]) -> Result<AnyModel, PluginError> {
        let kind = component.world.kind.model().ok_or_else(|| {
            PluginError::Incompatible(format!("the component implements {}, not a model world", component.world.kind))
        })?;
        Ok(match kind {
            ModelKind::HedgeRatio => AnyModel::HedgeRatio(HedgeRatioModel::restore(component, snapshot)?),
            ModelKind::Volatility => AnyModel::Volatility(VolatilityModel::restore(component, snapshot)?),
            ModelKind::Changepoint => AnyModel::Changepoint(ChangepointModel::restore(component, snapshot)?),
        })
    }

    /// The model's full state, which [`AnyModel::restore`] continues from.
    pub fn snapshot(&mut self) -> Result<Vec<u8>, PluginError> {
        match self {
            AnyModel::HedgeRatio(m) => m.snapshot(),
            AnyModel::Volatility(m) => m.snapshot(),
            AnyModel::Changepoint(m) => m.snapshot(),
        }
    }

    /// The model's kind.
    pub fn kind(&self) -> ModelKind {
        match self {
            AnyModel::HedgeRatio(_) => ModelKind::HedgeRatio,
            AnyModel::Volatility(_) => ModelKind::Volatility,
            AnyModel::Changepoint(_) => ModelKind::Changepoint,
        }
    }

    /// The parameters in effect.
    pub fn params(&mut self) -> Result<Vec<Param>, PluginError> {
        match self {
            AnyModel::HedgeRatio(m) => m.params(),
            AnyModel::Volatility(m) => m.params(),
            AnyModel::Changepoint(m) => m.params(),
        }
    }

    /// Feed one batch: `inputs` holds one column per [`ModelKind::inputs`].
    pub fn step_batch(&mut self, inputs: &[Vec<f64>]) -> Result<StepColumns, PluginError> {
        let kind = self.kind();
        if inputs.len() != kind.inputs().len() {
            return Err(GuestError::InvalidInput(format!(
                "{kind} takes {} input columns ({}), got {}",
                kind.inputs().len(),
                kind.inputs().join(", "),
                inputs.len()
            ))
            .into());
        }
        let columns = match self {
            AnyModel::HedgeRatio(m) => {
                let b = m.update_batch(&inputs[0], &inputs[1])?;
                vec![
                    b.pred_alpha,
                    b.pred_beta,
                    b.pred_y,
                    b.innovation,
                    b.innovation_var,
                    b.zscore,
                    b.alpha,
                    b.beta,
                    b.p_aa,
                    b.p_ab,
                    b.p_bb,
                    b.loglik,
                ]
            }
            AnyModel::Volatility(m) => {
                let b = m.update_batch_packed(&inputs[0])?;
                let (ready, refitted) = (flag(&b.status, READY), flag(&b.status, REFITTED));
                vec![b.variance, b.forecast, b.mean, b.std_resid, b.loglik, ready, refitted]
            }
            AnyModel::Changepoint(m) => {
                let b = m.update_batch(&inputs[0])?;
                vec![
                    b.change_prob,
                    counts(b.map_length),
                    b.segment_mean,
                    b.segment_var,
                    b.pruned_mass,
                    counts(b.hypotheses),
                ]
            }
        };
        Ok(StepColumns { names: kind.outputs(), columns })
    }
}
