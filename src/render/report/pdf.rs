//! PDF through a headless Chromium (SPEC §8.1): the HTML pack printed to A4 with its own page
//! margins (page numbers and the document id come from the HTML's `@page` rules), never the
//! browser's header and footer. The browser is `$CHROME`, else the first of the usual names on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};

const NAMES: &[&str] = &["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

/// The browser to print with, or why there is none.
pub fn browser(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf> {
    if let Some(path) = env("CHROME").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!("$CHROME is set to {}, which is not a file", path.display());
    }
    let dirs = env("PATH").unwrap_or_default();
    NAMES
        .iter()
        .flat_map(|name| std::env::split_paths(&dirs).map(move |d| d.join(name)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!(
                "no Chromium to print with: none of {} is on PATH and $CHROME is not set",
                NAMES.join(", ")
            )
        })
}

/// Prints `html` to the PDF file `out`, atomically: a failed print leaves `out` as it was.
pub fn print(browser: &Path, html: &str, out: &Path) -> Result<()> {
    let work = tempfile::tempdir().context("cannot make a temporary folder to print in")?;
    let page = work.path().join("evidence.html");
    std::fs::write(&page, html)?;
    let pdf = work.path().join("evidence.pdf");
    let profile = work.path().join("profile");
    // No network, no first-run work, no sandbox (the page is our own file without scripts, and
    // the sandbox cannot start as root in containers and CI).
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .with_context(|| format!("cannot run {}", browser.display()))?;
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !output.status.success() || !bytes.starts_with(b"%PDF") {
        let said = String::from_utf8_lossy(&output.stderr);
        let last: Vec<&str> = said.lines().rev().take(3).collect();
        bail!("{} did not print the PDF ({}): {}", browser.display(), output.status, last.join(" / "));
    }
    crate::store::write_atomic(out, &bytes)
}
