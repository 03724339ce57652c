//! Where the admin API is and which tokens to present, from flags and the
//! same environment variables the server reads.

use super::ClientError;

/// The default admin URL: the embedded host's default listen address.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8005";

/// A base URL and the tokens for it.
#[derive(Debug, Clone)]
pub struct AdminTarget {
    base: String,
    admin_token: Option<String>,
    read_token: Option<String>,
}

impl AdminTarget {
    /// `url` (`http://host:port` or `https://...`, a bare `host:port` is
    /// taken as http) with an admin token and a read token, either may be
    /// missing: read calls fall back from the read token to the admin one.
    pub fn new(url: &str, admin_token: Option<String>, read_token: Option<String>) -> Result<Self, ClientError> {
        let url = url.trim();
        let (scheme, authority) = url.split_once("://").unwrap_or(("http", url));
        let authority = authority.trim_end_matches('/');
        if !matches!(scheme, "http" | "https") || authority.is_empty() || authority.contains(char::is_whitespace) {
            return Err(ClientError::BadUrl { url: url.to_string(), reason: "expected http://host:port".into() });
        }
        let base = format!("{scheme}://{authority}");
        Ok(AdminTarget { base, admin_token, read_token })
    }

    /// From the environment: `HFT_ADMIN_URL` (else `http://` +
    /// `HFT_ADMIN_ADDR`, else [`DEFAULT_URL`]), `HFT_ADMIN_TOKEN[_FILE]`
    /// and `HFT_READ_TOKEN[_FILE]`; `url` and `token` (flags) win. A token
    /// given with `token` is used for every call.
    pub fn from_env(url: Option<&str>, token: Option<String>) -> Result<Self, ClientError> {
        let env_url = std::env::var("HFT_ADMIN_URL")
            .ok()
            .or_else(|| std::env::var("HFT_ADMIN_ADDR").ok().map(|a| format!("http://{a}")));
        let url = url.map(str::to_string).or(env_url).unwrap_or_else(|| DEFAULT_URL.to_string());
        let (admin, read) = match token {
            Some(t) => (Some(t), None),
            None => (
                env_token("HFT_ADMIN_TOKEN", "HFT_ADMIN_TOKEN_FILE")?,
                env_token("HFT_READ_TOKEN", "HFT_READ_TOKEN_FILE")?,
            ),
        };
        AdminTarget::new(&url, admin, read)
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(super) fn bearer_admin(&self) -> Result<String, ClientError> {
        self.admin_token.as_ref().map(|t| format!("Bearer {t}")).ok_or(ClientError::NoToken { kind: "admin" })
    }

    pub(super) fn bearer_read(&self) -> Result<String, ClientError> {
        self.read_token
            .as_ref()
            .or(self.admin_token.as_ref())
            .map(|t| format!("Bearer {t}"))
            .ok_or(ClientError::NoToken { kind: "read" })
    }
}

/// `var`, or the contents of the file `file_var` names (a mounted secret).
fn env_token(var: &'static str, file_var: &'static str) -> Result<Option<String>, ClientError> {
    if let Ok(v) = std::env::var(var) {
        return Ok(Some(v.trim().to_string()));
    }
    match std::env::var(file_var) {
        Ok(path) => std::fs::read_to_string(&path)
            .map(|t| Some(t.trim().to_string()))
            .map_err(|e| ClientError::BadToken { var: file_var, reason: format!("{path}: {e}") }),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_bad_ones_refused() {
        let t = AdminTarget::new("127.0.0.1:8005/", None, None).unwrap();
        assert_eq!(t.base(), "http://127.0.0.1:8005");
        assert_eq!(t.url("/status"), "http://127.0.0.1:8005/status");
        assert_eq!(
            AdminTarget::new("https://admin.example:443", None, None).unwrap().base(),
            "https://admin.example:443"
        );
        assert!(matches!(AdminTarget::new("ftp://x", None, None), Err(ClientError::BadUrl { .. })));
        assert!(matches!(AdminTarget::new("http://", None, None), Err(ClientError::BadUrl { .. })));
    }

    #[test]
    fn read_calls_fall_back_to_the_admin_token_but_not_the_other_way() {
        let t = AdminTarget::new("h:1", Some("adm".into()), None).unwrap();
        assert_eq!(t.bearer_read().unwrap(), "Bearer adm");
        let t = AdminTarget::new("h:1", None, Some("rd".into())).unwrap();
        assert_eq!(t.bearer_read().unwrap(), "Bearer rd");
        assert!(matches!(t.bearer_admin(), Err(ClientError::NoToken { kind: "admin" })));
    }
}
