//! The parts of the pack an auditor reads first and last (SPEC §8.1): the cover and contents, the
//! non-compliance register, each policy file's approval record, the plain-language box on
//! signatures, the depth of each execution, and the reviewers' sign-off page.

use super::doc::{Block, Cell, Mark, marked};
use super::{Doc, opt, short};
use crate::report::noncompliance::Deviation;
use crate::report::{Execution, PolicyFile};

impl Doc<'_> {
    /// The words of i18n keys without arguments (column heads, paragraphs), in order.
    pub(super) fn heads(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.t(k).to_string()).collect()
    }

    /// A table with its column heads given as i18n keys; "none" when it has no rows.
    pub(super) fn table(&mut self, keys: &[&str], rows: Vec<Vec<Cell>>) {
        if rows.is_empty() {
            self.push(Block::P(self.t("report.none").into()));
            return;
        }
        let head = self.heads(keys);
        self.push(Block::Table(head, rows));
    }

    pub(super) fn cover(&mut self) {
        let ev = self.ev;
        let p = ev.period;
        let facts = vec![
            (self.t("report.cover.id").to_string(), format!("`{}`", self.id)),
            (self.t("report.cover.period").to_string(), format!("{} – {}", p.from, p.to)),
            (
                self.t("report.cover.head").to_string(),
                format!("`{}` ({})", ev.history.head, self.time(Some(ev.history.head_time))),
            ),
            (self.t("report.cover.timezone").to_string(), ev.timezone.clone()),
            (
                self.t("report.cover.generator").to_string(),
                format!("lifecycle {}", env!("CARGO_PKG_VERSION")),
            ),
        ];
        self.push(Block::Cover {
            title: self.f("report.title", &[("from", &p.from), ("to", &p.to)]),
            lines: vec![self.t("report.cover.purpose").to_string()],
            facts,
        });
        self.push(Block::Contents(self.t("report.contents").into()));
    }

    fn deviation_row(&self, d: &Deviation) -> Vec<Cell> {
        let what =
            [d.system.as_deref(), d.component.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("/");
        let subject = match (&d.advisory, what.is_empty()) {
            (Some(a), false) => format!("`{what}` · {a}"),
            (Some(a), true) => a.clone(),
            (None, false) => format!("`{what}`"),
            (None, true) => opt(d.change.as_ref().map(|c| format!("`{c}`"))),
        };
        let late = match (d.days_late, &d.actual) {
            (Some(n), Some(_)) => self.f("report.nc.days_late", &[("n", &n)]),
            (Some(n), None) => self.f("report.nc.days_open", &[("n", &n)]),
            (None, _) => "—".into(),
        };
        let day = |s: &Option<String>| opt(s.as_deref().map(|t| t.get(..10).unwrap_or(t).to_string()));
        let title = self.lang.try_t(&format!("report.nc.code.{}", d.code)).unwrap_or(d.code);
        let detail = match (self.lang, &d.at) {
            (crate::i18n::Lang::En, at) => {
                [at.clone(), d.detail.clone()].into_iter().flatten().collect::<Vec<_>>().join(": ")
            }
            (_, at) => {
                let said = self.lang.try_t(&format!("finding.{}", d.code)).map(str::to_string);
                [at.as_ref().map(|a| format!("`{a}`")), said]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(self.t("report.colon"))
            }
        };
        vec![
            Cell::from(title),
            Cell::from(subject),
            Cell::from(day(&d.due)),
            Cell::from(day(&d.actual)),
            Cell::from(late),
            match &d.response {
                Some(r) => Cell::from(format!("`{r}`")),
                None => marked(self.t("report.nc.no_response"), Mark::Fail),
            },
            Cell::from(detail),
        ]
    }

    /// The register of every deviation (SPEC §8.1), near the top.
    pub(super) fn noncompliance(&mut self) {
        let ev = self.ev;
        self.push(Block::H(2, self.t("report.nc.title").into()));
        let open = ev.noncompliance.iter().filter(|d| d.actual.is_none()).count();
        let unanswered = ev.noncompliance.iter().filter(|d| d.response.is_none()).count();
        self.push(Block::P(self.f(
            "report.nc.intro",
            &[
                ("n", &ev.noncompliance.len()),
                ("open", &open),
                ("unanswered", &unanswered),
                ("to", &ev.period.to),
            ],
        )));
        let mut rows: Vec<Vec<Cell>> = ev.noncompliance.iter().map(|d| self.deviation_row(d)).collect();
        let mut keys = vec![
            "report.nc.col.code",
            "report.nc.col.subject",
            "report.nc.col.due",
            "report.nc.col.actual",
            "report.nc.col.late",
            "report.nc.col.response",
            "report.nc.col.detail",
        ];
        // The detail column only when some deviation has one.
        if rows.iter().all(|r| r.last().is_some_and(|c| c.text.is_empty())) {
            keys.pop();
            rows.iter_mut().for_each(|r| {
                r.pop();
            });
        }
        self.table(&keys, rows);
    }

    fn approval_cell(&self, f: &PolicyFile) -> Cell {
        match (&f.approved_by, &f.approval) {
            (Some(id), Some(rows)) => {
                let who: Vec<String> = rows
                    .iter()
                    .map(|r| match &r.by.title {
                        Some(t) => format!("{}（{t}）", r.by.name),
                        None => r.by.name.clone(),
                    })
                    .collect();
                marked(
                    self.f(
                        "report.policy.approved",
                        &[
                            ("id", &format!("`{id}`")),
                            ("at", &self.day(f.approved_at)),
                            ("by", &who.join(self.t("report.sep"))),
                        ],
                    ),
                    Mark::Pass,
                )
            }
            _ => marked(self.t("report.policy.no_record"), Mark::Fail),
        }
    }

    /// Each policy file's approval record, or a plain warning that it has none (SPEC §4.8).
    pub(super) fn policy_files(&mut self) {
        let files = &self.ev.policy.files;
        let rows = files
            .iter()
            .map(|f| {
                vec![
                    Cell::from(format!("`{}`", f.path)),
                    Cell::from(format!("`{}`", f.digest.chars().take(19).collect::<String>())),
                    Cell::from(match &f.changed_in {
                        Some(c) => format!("{} `{}`", self.day(f.changed_at), short(c)),
                        None => self.t("report.since_baseline").to_string(),
                    }),
                    self.approval_cell(f),
                ]
            })
            .collect();
        self.table(
            &["report.col.file", "report.col.digest", "report.col.changed", "report.col.approved_by"],
            rows,
        );
        if files.iter().any(|f| f.approved_by.is_none()) {
            self.push(Block::Note(
                self.t("report.policy.warn_title").into(),
                vec![self.t("report.policy.warn").into()],
            ));
        }
    }

    /// What "signature verified" means, for a reader who does not use keys.
    pub(super) fn plain_language(&mut self) {
        let paras = self.heads(&[
            "report.plain.what",
            "report.plain.keys",
            "report.plain.revoke",
            "report.plain.check",
        ]);
        self.push(Block::Note(self.t("report.plain.title").into(), paras));
    }

    /// Notice, windows and the rollback test, as rows of the measures table.
    pub(super) fn execution_rules(&self, x: &Execution) -> Vec<Vec<Cell>> {
        let mut rows = Vec::new();
        if let Some(n) = &x.notice {
            let ahead = n.hours_ahead.map(|h| self.f("report.x.hours_ahead", &[("h", &format!("{h:.1}"))]));
            rows.push(vec![
                Cell::from(self.t("report.x.notice")),
                Cell::from(opt(n.required.as_ref().map(|r| format!("≥ {}", self.duration(r))))),
                Cell::from(format!("{} ({})", self.time(n.notified_at), opt(ahead))),
                self.yes(n.met),
            ]);
        }
        for w in &x.windows {
            let days: Vec<String> =
                w.allowed.iter().map(|d| self.t(&format!("weekday.{d}")).to_string()).collect();
            rows.push(vec![
                Cell::from(self.t(&format!("report.x.window_{}", w.environment))),
                Cell::from(if days.is_empty() { "—".into() } else { days.join(self.t("report.sep")) }),
                Cell::from(format!(
                    "{} ({})",
                    self.time(Some(w.at)),
                    self.t(&format!("weekday.{}", w.weekday))
                )),
                self.yes(w.met),
            ]);
        }
        if let Some(tested) = x.rollback_tested {
            rows.push(vec![
                Cell::from(self.t("report.x.rollback")),
                Cell::from(self.t("report.x.rollback_target")),
                Cell::from(self.t(if tested { "report.yes" } else { "report.no" })),
                self.yes(Some(tested)),
            ]);
        }
        rows
    }

    /// Backup, gray, production, the backout plan and tests, and the artefacts with their hashes.
    pub(super) fn execution_facts(&mut self, x: &Execution) {
        let mut facts = vec![
            format!(
                "{}: {}{}",
                self.t("report.backup"),
                self.time(x.backup_at),
                x.backup_ref.as_ref().map(|r| format!(" (`{r}`)")).unwrap_or_default()
            ),
            format!("{}: {}", self.t("report.gray"), self.time(x.gray_passed_at)),
            format!("{}: {}", self.t("report.production"), self.time(x.production_at)),
        ];
        facts.push(format!("{}: {}", self.t("report.x.backout"), opt(x.backout.clone())));
        facts.push(format!("{}: {}", self.t("report.x.tests"), opt(x.tests.clone())));
        self.push(Block::List(facts));
        let rows: Vec<Vec<Cell>> = x
            .artifacts
            .iter()
            .map(|a| {
                vec![
                    Cell::from(format!("`{}`", a.name)),
                    Cell::from(opt(a.source.clone())),
                    Cell::from(match &a.sha256 {
                        Some(h) => format!(
                            "`{}…{}`",
                            h.get(..12).unwrap_or(h),
                            h.get(h.len().saturating_sub(8)..).unwrap_or("")
                        ),
                        None => self.t("report.x.no_hash").to_string(),
                    }),
                ]
            })
            .collect();
        if !rows.is_empty() {
            self.push(Block::H(4, self.t("report.artifacts").into()));
            self.table(&["report.x.col.artifact", "report.x.col.source", "report.x.col.sha256"], rows);
        }
    }

    /// The closing page where the report's reviewers sign.
    pub(super) fn signatures(&mut self) {
        let roles = self.heads(&["report.sign.prepared", "report.sign.reviewed", "report.sign.approved"]);
        let head = self.heads(&[
            "report.sign.col.role",
            "report.sign.col.name",
            "report.sign.col.signature",
            "report.sign.col.date",
        ]);
        self.push(Block::Signatures {
            title: self.t("report.sign.title").into(),
            text: self.f("report.sign.text", &[("id", &self.id)]),
            head,
            roles,
        });
    }

    /// The discovery runs of the period and, with `rules.discovery_every`, each interval without one.
    pub(super) fn discovery_runs(&mut self) {
        let d = &self.ev.discovery;
        self.push(Block::H(3, self.t("report.runs.title").into()));
        match &d.every {
            Some(every) => {
                self.push(Block::P(self.f("report.runs.every", &[("every", &self.duration(every))])))
            }
            None => self.push(Block::P(self.t("report.runs.no_rule").into())),
        }
        let lang = self.lang;
        let kind = move |k: &str| lang.t(&format!("disc.kind.{k}")).to_string();
        let rows = d
            .runs
            .iter()
            .map(|r| {
                let counts: Vec<String> = r
                    .counts
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, n)| {
                        format!("{} {n}", self.lang.try_t(&format!("report.count.{k}")).unwrap_or(k))
                    })
                    .collect();
                vec![
                    Cell::from(self.time(Some(r.at))),
                    Cell::from(kind(r.kind)),
                    Cell::from(format!("`{}`", r.source)),
                    Cell::from(counts.join(self.t("report.sep"))),
                    Cell::from(opt(r.commit.as_deref().map(|c| format!("`{}`", short(c))))),
                ]
            })
            .collect();
        self.table(
            &[
                "report.runs.col.at",
                "report.runs.col.kind",
                "report.runs.col.source",
                "report.runs.col.counts",
                "report.col.commit",
            ],
            rows,
        );
        let gaps: Vec<String> = d
            .missed
            .iter()
            .map(|g| {
                let key = if g.open { "report.runs.gap_open" } else { "report.runs.gap" };
                self.f(
                    key,
                    &[
                        ("kind", &kind(g.kind)),
                        ("from", &self.day(Some(g.from))),
                        ("due", &self.day(Some(g.due))),
                        ("to", &self.day(Some(g.to))),
                    ],
                )
            })
            .collect();
        if !gaps.is_empty() {
            self.push(Block::List(
                gaps.into_iter()
                    .map(|g| format!("**{}** {g}", self.t("report.nc.code.discovery-missed")))
                    .collect(),
            ));
        }
    }
}
