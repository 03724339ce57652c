//! A changepoint component that tries what a model must not be able to do,
//! chosen by its `mode` parameter, on every `update`. The host's sandbox
//! tests run it and check that each attempt fails or is stopped.
//!
//! Modes that probe a capability report what they saw: `Ok` with
//! `change-prob = 1.0` means the capability worked (a sandbox hole);
//! an `invalid-input` error carries the error the guest got (expected).

wit_bindgen::generate!({
    world: "changepoint-model",
    path: "../../../wit",
    with: { "hft:strategy/types@0.1.1": hft_sdk::types },
});

use exports::hft::strategy::changepoint::{Guest, GuestModel, Model, Step, StepBatch};
use hft_sdk::types::{ErrorKind, ModelError, ModelInfo, Param, ParamSpec, ParamValue};
use std::cell::RefCell;

struct Component;

impl Guest for Component {
    type Model = Hostile;

    fn describe() -> ModelInfo {
        ModelInfo {
            name: "hostile".into(),
            version: "0.1.0".into(),
            description: "misbehaves on purpose".into(),
            params: vec![
                ParamSpec {
                    name: "mode".into(),
                    description:
                        "read-file | list-dir | connect:<addr> | env | clock | loop | hog | panic | print | ok".into(),
                    default_value: ParamValue::Text("ok".into()),
                },
                ParamSpec {
                    name: "path".into(),
                    description: "file for read-file".into(),
                    default_value: ParamValue::Text("/etc/hostname".into()),
                },
            ],
            outputs: vec!["change_prob".into()],
        }
    }
}

struct Hostile {
    mode: String,
    path: String,
    hoard: RefCell<Vec<Vec<u8>>>,
    last_error: RefCell<String>,
}

fn hole(what: String) -> Result<Step, ModelError> {
    Ok(Step { change_prob: 1.0, map_length: 0, segment_mean: 0.0, segment_var: 0.0, pruned_mass: 0.0, hypotheses: 0 })
        .inspect(|_| eprintln!("sandbox hole: {what}"))
}

fn blocked(what: String) -> Result<Step, ModelError> {
    Err(ModelError::InvalidInput(what))
}

fn fine() -> Result<Step, ModelError> {
    Ok(Step { change_prob: 0.0, map_length: 1, segment_mean: 0.0, segment_var: 1.0, pruned_mass: 0.0, hypotheses: 1 })
}

impl Hostile {
    /// Try what `mode` says; what the guest saw comes back as the result.
    fn attempt(&self) -> Result<Step, ModelError> {
        let mode = self.mode.as_str();
        match mode {
            "ok" => fine(),
            "read-file" => match std::fs::read(&self.path) {
                Ok(bytes) => hole(format!("read {} bytes from {}", bytes.len(), self.path)),
                Err(e) => blocked(format!("read {}: {e}", self.path)),
            },
            "list-dir" => match std::fs::read_dir("/") {
                Ok(entries) => hole(format!("listed / with {} entries", entries.count())),
                Err(e) => blocked(format!("read_dir /: {e}")),
            },
            "env" => {
                let vars = std::env::vars().count();
                let args = std::env::args().count();
                if vars + args > 0 {
                    hole(format!("{vars} env vars, {args} args"))
                } else {
                    blocked("no env, no args".into())
                }
            }
            "clock" => {
                let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                if since.as_secs() > 0 {
                    hole(format!("wall clock reads {since:?}"))
                } else {
                    blocked("clock reads zero".into())
                }
            }
            "loop" => {
                let mut i: u64 = 0;
                loop {
                    i = std::hint::black_box(i.wrapping_add(1));
                }
            }
            "hog" => loop {
                self.hoard.borrow_mut().push(vec![1u8; 1 << 20]);
            },
            "panic" => panic!("hostile plugin panics on purpose"),
            "print" => {
                eprintln!("hello from the hostile plugin's stderr");
                fine()
            }
            other => match other.strip_prefix("connect:") {
                Some(addr) => match std::net::TcpStream::connect(addr) {
                    Ok(_) => hole(format!("connected to {addr}")),
                    Err(e) => blocked(format!("connect {addr}: {e}")),
                },
                None => Err(ModelError::InvalidParams(format!("unknown mode {other:?}"))),
            },
        }
    }
}

impl GuestModel for Hostile {
    fn create(params: Vec<Param>) -> Result<Model, ModelError> {
        let text = |name: &str, default: &str| {
            params
                .iter()
                .find(|p| p.name == name)
                .map(|p| match &p.value {
                    ParamValue::Text(t) => t.clone(),
                    _ => default.to_string(),
                })
                .unwrap_or_else(|| default.to_string())
        };
        Ok(Model::new(Hostile {
            mode: text("mode", "ok"),
            path: text("path", "/etc/hostname"),
            hoard: RefCell::new(Vec::new()),
            last_error: RefCell::new(String::new()),
        }))
    }

    fn restore(_snapshot: Vec<u8>) -> Result<Model, ModelError> {
        Err(ModelError::InvalidSnapshot("hostile has no state".into()))
    }

    fn update(&self, _x: f64) -> Result<Step, ErrorKind> {
        self.attempt().map_err(|e| {
            let kind = match &e {
                ModelError::InvalidParams(_) => ErrorKind::InvalidParams,
                ModelError::InvalidSnapshot(_) => ErrorKind::InvalidSnapshot,
                ModelError::NotReady(_) => ErrorKind::NotReady,
                ModelError::Numerical(_) => ErrorKind::Numerical,
                ModelError::InvalidInput(_) => ErrorKind::InvalidInput,
            };
            let (ModelError::InvalidParams(m)
            | ModelError::InvalidInput(m)
            | ModelError::InvalidSnapshot(m)
            | ModelError::NotReady(m)
            | ModelError::Numerical(m)) = e;
            *self.last_error.borrow_mut() = m;
            kind
        })
    }

    fn last_error(&self) -> String {
        self.last_error.borrow().clone()
    }

    fn update_batch(&self, xs: Vec<f64>) -> Result<StepBatch, ModelError> {
        let mut out = StepBatch {
            change_prob: vec![],
            map_length: vec![],
            segment_mean: vec![],
            segment_var: vec![],
            pruned_mass: vec![],
            hypotheses: vec![],
        };
        for _ in xs {
            let s = self.attempt()?;
            out.change_prob.push(s.change_prob);
            out.map_length.push(s.map_length);
            out.segment_mean.push(s.segment_mean);
            out.segment_var.push(s.segment_var);
            out.pruned_mass.push(s.pruned_mass);
            out.hypotheses.push(s.hypotheses);
        }
        Ok(out)
    }

    fn change_prob(&self, _window: u32) -> f64 {
        0.0
    }

    fn run_length_posterior(&self) -> Vec<f64> {
        vec![1.0]
    }

    fn snapshot(&self) -> Vec<u8> {
        Vec::new()
    }

    fn params(&self) -> Vec<Param> {
        vec![Param { name: "mode".into(), value: ParamValue::Text(self.mode.clone()) }]
    }
}

export!(Component);
