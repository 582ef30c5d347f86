//! Discovery: endoflife.date lifecycle data and security advisories (OSV, CISA KEV) turned into the
//! repository's own formats (§3.2, §3.7, §7). Parsers and renderers are pure; `http` is the one place
//! that touches the network (only `sync` does).

pub mod cvss;
pub mod eol;
pub mod http;
pub mod observe;
pub mod osv;
pub mod runs;
pub mod sbom;
