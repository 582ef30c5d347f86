//! What the fuzz targets share: a small, valid repository to put one hostile file into, and the
//! checks every outcome must pass. Everything goes through the library's public entry points — the
//! same ones the commands use — so a crash here is a crash of `lifecycle`.

use std::collections::HashMap;

use chrono::NaiveDate;
use lifecycle::diag::{self, Diagnostic};
use lifecycle::eval::approvals::Checked;
use lifecycle::eval::{rules, status};
use lifecycle::i18n::Lang;
use lifecycle::load::{self, Loaded};
use lifecycle::model::{Repository, Settings};
use lifecycle::render::{self, Style};
use lifecycle::sign::{self, Trust};

/// Where each kind of file lives (the default `paths`), and the files of the context repository: the
/// example organisation's Redis system, product and policy, and change CHG-2024-003 of one
/// `examples/demo.sh` run — request, report, the applicant's signed sign-off — with the people
/// whose keys signed it.
pub const SYSTEM: &str = "inventory/systems/redis-session.yaml";
pub const PRODUCT: &str = "inventory/products/redis.yaml";
pub const POLICY: &str = "policies/ops04.yaml";
pub const PEOPLE: &str = "policies/people.yaml";
pub const REQUEST: &str = "changes/CHG-2024-003/request.yaml";
pub const REPORT: &str = "changes/CHG-2024-003/report.yaml";
pub const FIRST_SIGNOFF: &str = "changes/CHG-2024-003/approvals/01-applicant.yaml";
/// The fuzzed sign-off is the second of the chain.
pub const SIGNOFF: &str = "changes/CHG-2024-003/approvals/02-architect.yaml";
pub const ADVISORY: &str = "advisories/CVE-2024-0727.yaml";

const CONTEXT: &[(&str, &str)] = &[
    (SYSTEM, include_str!("../fixtures/system.yaml")),
    (PRODUCT, include_str!("../fixtures/product.yaml")),
    (POLICY, include_str!("../fixtures/policy.yaml")),
    (PEOPLE, include_str!("../fixtures/people.yaml")),
    (REQUEST, include_str!("../fixtures/request.yaml")),
    (REPORT, include_str!("../fixtures/report.yaml")),
    (FIRST_SIGNOFF, include_str!("../fixtures/01-applicant.yaml")),
];

/// The dates `check` is evaluated at: before, around and long after the fixtures' end dates.
const TODAYS: [(i32, u32, u32); 3] = [(2024, 9, 1), (2024, 12, 31), (2262, 1, 1)];

/// Loads the context repository with `data` as the file at `path` (replacing the context's file
/// there, if any), exactly as `load_blobs` reads the files of a commit; then checks the diagnostics,
/// and — when the files are valid — evaluates everything `check` and `change show` evaluate.
pub fn load_at(path: &str, data: &[u8]) {
    let mut files: Vec<(String, Vec<u8>)> = CONTEXT
        .iter()
        .filter(|(p, _)| *p != path)
        .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
        .collect();
    files.push((path.to_string(), data.to_vec()));
    let loaded = load::load_blobs(Settings::default(), files);
    check_diagnostics(&loaded);
    if !loaded.has_errors() {
        evaluate(&loaded.repo);
    }
}

/// `lifecycle.yaml`: settings, then the context repository read with them.
pub fn load_settings(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut diagnostics = Vec::new();
    let settings = load::settings_from(text, &mut diagnostics);
    let texts = HashMap::from([("lifecycle.yaml".to_string(), text.to_string())]);
    for d in &diagnostics {
        check_diagnostic(d, &|p| texts.get(p).cloned());
    }
    let files = CONTEXT.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
    let loaded = load::load_blobs(settings, files);
    check_diagnostics(&loaded);
    if !loaded.has_errors() {
        evaluate(&loaded.repo);
    }
}

/// Every diagnostic names a file the loader read, renders, and points inside that file's text.
fn check_diagnostics(loaded: &Loaded) {
    for d in &loaded.diagnostics {
        check_diagnostic(d, &|p| loaded.text(p));
    }
}

fn check_diagnostic(d: &Diagnostic, text: &dyn Fn(&str) -> Option<String>) {
    assert!(!d.origin.path.is_empty(), "a diagnostic names no file: {d:?}");
    assert!(!d.message.is_empty(), "a diagnostic says nothing: {d:?}");
    assert!(d.hint.as_deref().is_some_and(|h| !h.is_empty()), "a diagnostic has no hint: {d:?}");
    let rendered = diag::render(d, text, false);
    assert!(rendered.contains(&d.origin.path), "the rendered diagnostic does not name its file");
    if d.origin.line > 0
        && let Some(t) = text(&d.origin.path)
    {
        // The line the snippet shows is the line the parser meant (YAML also breaks lines at a lone
        // CR, and at U+0085/U+2028/U+2029 in YAML 1.1, which `str::lines` does not).
        let lines = t.lines().count().max(1) as u32;
        assert!(
            d.origin.line <= lines + 1,
            "line {} is past the end of {} ({lines} lines): {d:?}",
            d.origin.line,
            d.origin.path
        );
    }
}

/// What `check` and `change show` compute from a valid repository, at several dates, rendered.
fn evaluate(repo: &Repository) {
    let trust = Trust::from_people(&repo.people);
    let namespace = repo.settings.signing_namespace.as_str();
    let checked: Vec<Checked> = repo
        .signoffs
        .iter()
        .map(|s| Checked {
            signoff: s,
            // OpenPGP signatures are verified by starting gpg; fuzz only their armor here.
            signer: if s.file.signature.trim_start().starts_with("-----BEGIN PGP") {
                let _ = sign::keys::dearmor(&s.file.signature);
                Err(sign::Invalid::Unavailable("not run while fuzzing".into()))
            } else {
                lifecycle::approvals::signer(&trust, s, namespace)
            },
            commit: None,
        })
        .collect();
    let evals = lifecycle::approvals::evaluate(repo, &checked);
    let links = lifecycle::approvals::links(repo, &evals);
    // The execution rules `confirm` and `verify` check, with the chain approved at several moments.
    let now = chrono::DateTime::parse_from_rfc3339("2024-10-16T10:00:00+08:00").expect("a fixed time");
    for change in &repo.changes {
        let class = repo.policy.classes.get(&change.class);
        for at in [None, Some(now), change.report.as_ref().map(|r| r.started_at)] {
            let approval = rules::Approval { approved: at.is_some(), at };
            let _ =
                rules::execution(change, class, &repo.policy.rules, approval, repo.settings.timezone, now);
        }
    }
    let style = Style { lang: Lang::En, color: false };
    for (y, m, d) in TODAYS {
        let today = NaiveDate::from_ymd_opt(y, m, d).expect("a fixed date");
        let items = status::evaluate(repo, today, &links);
        let summary = status::Summary::of(&items);
        let mut out = Vec::new();
        render::check::markdown(&mut out, &items, &summary, &repo.policy.eol, today, style)
            .expect("writing to memory");
        let doc = render::json::CheckDoc {
            schema: "lifecycle.check/v1",
            today: today.to_string(),
            summary: &summary,
            items: items.iter().map(render::json::check_item).collect(),
            advisories: Vec::new(),
        };
        render::json::write(&mut out, &doc).expect("writing to memory");
    }
}

/// Splits fuzz input into `n` UTF-8 fields at `\n` (the last takes the rest); `None` if not UTF-8.
pub fn fields(data: &[u8], n: usize) -> Option<Vec<&str>> {
    let text = std::str::from_utf8(data).ok()?;
    let mut parts: Vec<&str> = text.splitn(n, '\n').collect();
    parts.resize(n, "");
    Some(parts)
}

/// An endoflife.date file (a `products/*.md` page, an API v1 or v0 answer) imported the way `lifecycle
/// catalog import` imports it: parsed, merged, rendered — and what is written must read back as the
/// product it came from, with the same cycles.
pub fn import_endoflife(data: &[u8]) {
    use lifecycle::discovery::eol;
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let path = match selector % 3 {
        0 => "products/redis.md",
        1 => "redis.json",
        _ => "api/v1/products/redis.json",
    };
    let Ok((_, product)) = eol::parse(path, text) else { return };
    let (merged, local, _) = eol::merge(&product, None);
    let rendered = eol::render(&merged, &local, "{kind: endoflife.date, fetched_at: 2024-10-03T09:00:00Z}");
    let back = eol::read_existing(&format!("inventory/products/{}.yaml", merged.id), &rendered)
        .unwrap_or_else(|d| panic!("the importer wrote a file it cannot read: {}\n{rendered}", d.message));
    assert_eq!(back.product.cycles.len(), merged.cycles.len(), "cycles lost in the round trip\n{rendered}");
}

/// OSV records, arrays, query answers and the CISA KEV catalog imported the way `lifecycle advisories
/// import` imports them: every record it keeps renders to a file that reads back as the same advisory.
pub fn import_osv(data: &[u8]) {
    use lifecycle::discovery::osv;
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(parsed) = osv::parse("fuzz.json", text) else { return };
    for record in &parsed.records {
        // As the command does: the first import's time is the detection time.
        let mut record = record.clone();
        record.detected_at = Some("2024-10-03T09:00:00+08:00".into());
        let rendered = osv::render(&record);
        let back = osv::read_existing(ADVISORY, &rendered).unwrap_or_else(|d| {
            panic!("the importer wrote a file it cannot read: {}\n{rendered}", d.message)
        });
        assert_eq!(back.id, record.id, "id changed in the round trip\n{rendered}");
    }
}
