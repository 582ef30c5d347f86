//! The one place that touches the network (`catalog sync`, `advisories sync`): HTTPS with rustls
//! (ureq), timeouts, clear errors, and a response cache so that a failing network falls back to the
//! last good answer with a staleness warning instead of failing.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

/// Largest response read (the KEV catalog is about 1.3 MB; OSV records are small).
const MAX_BODY: u64 = 64 << 20;
/// Answers younger than this are used without asking the network again.
pub const FRESH: Duration = Duration::from_secs(12 * 3600);
/// A cached answer older than this is still used when the network fails, with a warning.
pub const STALE: Duration = Duration::from_secs(3 * 24 * 3600);

/// An answer and where it came from.
pub struct Fetched {
    pub body: String,
    /// `Some(age)` when the body came from the cache.
    pub cached: Option<Duration>,
    /// The network error that made us use the cache, if any.
    pub fallback_reason: Option<String>,
}

/// What happened for one URL, when it matters to the user.
pub enum NotFound {
    /// HTTP 404: the service does not know the thing asked for.
    Missing,
}

pub struct Client {
    agent: ureq::Agent,
    cache: Option<PathBuf>,
    /// Ask the service even when the cache holds a fresh answer (`sync --refresh`).
    refresh: bool,
}

/// `$LIFECYCLE_CACHE_DIR`, else `$XDG_CACHE_HOME/lifecycle`, else `$HOME/.cache/lifecycle`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |n: &str| std::env::var_os(n).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("LIFECYCLE_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("lifecycle")))
        .or_else(|| var("HOME").map(|d| d.join(".cache/lifecycle")))
}

impl Client {
    pub fn new(timeout: Duration, cache: Option<PathBuf>) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("lifecycle/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, cache, refresh: false }
    }

    /// Bypass fresh cached answers: every request goes to the service (a failing network still
    /// falls back to the cache, with its age).
    pub fn refresh(mut self, refresh: bool) -> Client {
        self.refresh = refresh;
        self
    }

    fn cache_path(&self, key: &str) -> Option<PathBuf> {
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        self.cache.as_ref().map(|d| d.join(format!("{}.json", &digest[..32])))
    }

    fn cached(&self, key: &str) -> Option<(String, Duration)> {
        let path = self.cache_path(key)?;
        let age = std::fs::metadata(&path).ok()?.modified().ok()?.elapsed().unwrap_or_default();
        Some((std::fs::read_to_string(path).ok()?, age))
    }

    fn store(&self, key: &str, body: &str) {
        // The cache is a convenience: failing to write it never fails the command.
        if let Some(path) = self.cache_path(key) {
            let _ = crate::store::write_atomic(&path, body.as_bytes());
        }
    }

    /// GET `url`. `Ok(Err(NotFound::Missing))` on 404.
    pub fn get(&self, url: &str) -> Result<std::result::Result<Fetched, NotFound>> {
        self.fetch(url, url, None)
    }

    /// POST a JSON body to `url`; cached under the URL and the body.
    pub fn post_json(&self, url: &str, body: &str) -> Result<std::result::Result<Fetched, NotFound>> {
        self.fetch(&format!("{url}\n{body}"), url, Some(body))
    }

    fn fetch(
        &self,
        key: &str,
        url: &str,
        body: Option<&str>,
    ) -> Result<std::result::Result<Fetched, NotFound>> {
        if let Some((body, age)) = self.cached(key).filter(|(_, age)| *age < FRESH && !self.refresh) {
            return Ok(Ok(Fetched { body, cached: Some(age), fallback_reason: None }));
        }
        match self.network(url, body) {
            Ok(Some(text)) => {
                self.store(key, &text);
                Ok(Ok(Fetched { body: text, cached: None, fallback_reason: None }))
            }
            Ok(None) => Ok(Err(NotFound::Missing)),
            Err(e) => match self.cached(key) {
                Some((body, age)) => {
                    Ok(Ok(Fetched { body, cached: Some(age), fallback_reason: Some(format!("{e:#}")) }))
                }
                None => Err(e),
            },
        }
    }

    fn network(&self, url: &str, body: Option<&str>) -> Result<Option<String>> {
        let response = match body {
            None => self.agent.get(url).header("Accept", "application/json").call(),
            Some(b) => self
                .agent
                .post(url)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .send(b),
        };
        let mut response = response.map_err(|e| explain(url, e))?;
        let status = response.status();
        if status.as_u16() == 404 {
            return Ok(None);
        }
        if !status.is_success() {
            bail!("{url} answered HTTP {status}");
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| explain(url, e))
            .with_context(|| format!("reading the answer of {url}"))?;
        Ok(Some(text))
    }
}

fn explain(url: &str, e: ureq::Error) -> anyhow::Error {
    match e {
        ureq::Error::Timeout(_) => {
            anyhow!("{url}: timed out (is the network reachable? try again, or raise --timeout)")
        }
        ureq::Error::HostNotFound => anyhow!("{url}: host not found (no DNS or no network)"),
        ureq::Error::Io(io) => anyhow!("{url}: {io}"),
        other => anyhow!("{url}: {other}"),
    }
}

/// "3 days" / "5 hours", for staleness notes.
pub fn age_text(age: Duration) -> String {
    let h = age.as_secs() / 3600;
    if h >= 48 { format!("{} days", h / 24) } else { format!("{h} hours") }
}
