//! The Kalman hedge-ratio model (`hft_models::kalman`) as a component
//! exporting `hft:strategy/hedge-ratio`. Only adaptation lives here; the math
//! and its conventions are in the model crate and `README.md`.

wit_bindgen::generate!({
    world: "hedge-ratio-model",
    path: "../../wit",
    with: { "hft:strategy/types@0.1.1": hft_sdk::types },
});

use exports::hft::strategy::hedge_ratio::{
    Estimate, EstimateBatch, Guest, GuestModel, Model, ModelBorrow, Observation,
};
use hft_models::kalman::{self, Kalman, KalmanStep};
use hft_sdk::LastError;
use hft_sdk::types::{ErrorKind, ModelError, ModelInfo, Param};
use std::cell::RefCell;
use std::rc::Rc;

struct Component;

impl Guest for Component {
    type Model = KalmanModel;

    fn describe() -> ModelInfo {
        hft_sdk::model_info(kalman::NAME, kalman::VERSION, kalman::DESCRIPTION, &kalman::param_specs(), kalman::OUTPUTS)
    }

    fn activate(m: ModelBorrow<'_>) {
        let state = m.get::<KalmanModel>().0.clone();
        ACTIVE.with(|a| *a.borrow_mut() = Some(state));
    }

    fn update_active(obs: Observation) -> Result<Estimate, ErrorKind> {
        ACTIVE.with(|a| match &*a.borrow() {
            Some(state) => state.update(obs),
            None => Err(ErrorKind::NotReady),
        })
    }
}

thread_local! {
    /// The model `update-active` feeds: shares the state of the model last
    /// passed to `activate`, whose resource handle still owns it.
    static ACTIVE: RefCell<Option<Rc<State>>> = const { RefCell::new(None) };
}

/// One filter and the message of its last failed update.
struct State {
    model: RefCell<Kalman>,
    last_error: LastError,
}

impl State {
    #[inline]
    fn update(&self, obs: Observation) -> Result<Estimate, ErrorKind> {
        self.model.borrow_mut().update(obs.x, obs.y).map(estimate).map_err(|e| self.last_error.record(e))
    }
}

/// One filter; the host owns it through a resource handle.
struct KalmanModel(Rc<State>);

impl KalmanModel {
    fn wrap(model: Kalman) -> Model {
        Model::new(KalmanModel(Rc::new(State { model: RefCell::new(model), last_error: LastError::default() })))
    }
}

impl Drop for KalmanModel {
    /// A dropped model stops being the active one.
    fn drop(&mut self) {
        ACTIVE.with(|a| {
            let mut a = a.borrow_mut();
            if a.as_ref().is_some_and(|s| Rc::ptr_eq(s, &self.0)) {
                *a = None;
            }
        });
    }
}

fn estimate(s: KalmanStep) -> Estimate {
    Estimate {
        pred_alpha: s.pred_alpha,
        pred_beta: s.pred_beta,
        pred_y: s.pred_y,
        innovation: s.innovation,
        innovation_var: s.innovation_var,
        zscore: s.zscore,
        alpha: s.alpha,
        beta: s.beta,
        p_aa: s.p_aa,
        p_ab: s.p_ab,
        p_bb: s.p_bb,
        loglik: s.loglik,
    }
}

impl GuestModel for KalmanModel {
    fn create(params: Vec<Param>) -> Result<Model, ModelError> {
        Ok(KalmanModel::wrap(Kalman::new(&hft_sdk::from_wit_params(params))?))
    }

    fn restore(snapshot: Vec<u8>) -> Result<Model, ModelError> {
        Ok(KalmanModel::wrap(Kalman::restore(&snapshot)?))
    }

    fn update(&self, obs: Observation) -> Result<Estimate, ErrorKind> {
        self.0.update(obs)
    }

    fn last_error(&self) -> String {
        self.0.last_error.message()
    }

    fn update_batch(&self, x: Vec<f64>, y: Vec<f64>) -> Result<EstimateBatch, ModelError> {
        if x.len() != y.len() {
            return Err(ModelError::InvalidInput(format!(
                "x has {} values but y has {}; a batch needs one y per x",
                x.len(),
                y.len()
            )));
        }
        let n = x.len();
        let col = || Vec::with_capacity(n);
        let mut out = EstimateBatch {
            pred_alpha: col(),
            pred_beta: col(),
            pred_y: col(),
            innovation: col(),
            innovation_var: col(),
            zscore: col(),
            alpha: col(),
            beta: col(),
            p_aa: col(),
            p_ab: col(),
            p_bb: col(),
            loglik: col(),
        };
        let mut model = self.0.model.borrow_mut();
        hft_sdk::all_or_nothing(
            &mut *model,
            n,
            |m, i| m.update(x[i], y[i]),
            |s: KalmanStep| {
                out.pred_alpha.push(s.pred_alpha);
                out.pred_beta.push(s.pred_beta);
                out.pred_y.push(s.pred_y);
                out.innovation.push(s.innovation);
                out.innovation_var.push(s.innovation_var);
                out.zscore.push(s.zscore);
                out.alpha.push(s.alpha);
                out.beta.push(s.beta);
                out.p_aa.push(s.p_aa);
                out.p_ab.push(s.p_ab);
                out.p_bb.push(s.p_bb);
                out.loglik.push(s.loglik);
            },
        )?;
        Ok(out)
    }

    fn snapshot(&self) -> Vec<u8> {
        self.0.model.borrow().snapshot()
    }

    fn params(&self) -> Vec<Param> {
        hft_sdk::to_wit_params(self.0.model.borrow().params())
    }
}

export!(Component);
