//! Why an admin call failed, in terms an operator can act on.

use thiserror::Error;

/// An admin call that did not succeed.
#[derive(Debug, Error)]
pub enum ClientError {
    /// No token for a call that needs one.
    #[error(
        "no {kind} token: set HFT_ADMIN_TOKEN or HFT_ADMIN_TOKEN_FILE{read}, or pass --token",
        read = if *kind == "read" { " (or HFT_READ_TOKEN[_FILE])" } else { "" }
    )]
    NoToken {
        /// `admin` or `read`.
        kind: &'static str,
    },
    /// A token variable is set but unusable (an unreadable file).
    #[error("{var}: {reason}")]
    BadToken {
        /// The variable.
        var: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The admin URL does not parse.
    #[error("admin URL {url:?}: {reason}")]
    BadUrl {
        /// As given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The host could not be reached or did not answer in time.
    #[error("{call} at {url}: {reason} (is `hft-host run` serving the admin API there? see HFT_ADMIN_URL)")]
    Transport {
        /// Method and path.
        call: String,
        /// Base URL.
        url: String,
        /// The transport's words.
        reason: String,
    },
    /// The host answered with an error.
    #[error("{call}: {status} {code}: {message}")]
    Api {
        /// Method and path.
        call: String,
        /// HTTP status.
        status: u16,
        /// The API's stable error code (`unauthorized`, `invalid_component`, ...).
        code: String,
        /// The API's message.
        message: String,
    },
}
