//! The evidence pack as Markdown (for pasting into a questionnaire answer) and as one self-contained
//! HTML file (inline CSS and SVG, no external assets, prints to PDF), in English or Chinese.
//!
//! Both are rendered from one list of blocks, so the two formats cannot say different things.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::eval::kpi::Kpi;
use crate::i18n::Lang;
use crate::report::{ChangeEntry, Evidence, Execution, Money, Person, RegisterRow, SignOffRow};

mod doc;
pub mod pdf;
mod sections;
mod timeline;

use doc::{Block, Cell, Mark, cls, marked};

use crate::render::words;

struct Doc<'a> {
    ev: &'a Evidence,
    lang: Lang,
    tz: chrono_tz::Tz,
    /// The document id ([`document_id`]), computed once: it digests the whole evidence.
    id: String,
    blocks: Vec<Block>,
}

fn short(id: &str) -> String {
    id.chars().take(10).collect()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// `42800` → `42,800`; keeps up to two decimals.
pub fn amount(v: f64) -> String {
    let neg = v < 0.0;
    let v = v.abs();
    let whole = v.trunc() as u64;
    let frac = ((v - v.trunc()) * 100.0).round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if frac > 0 {
        let _ = write!(out, ".{frac:02}");
        while out.ends_with('0') {
            out.pop();
        }
    }
    if neg { format!("-{out}") } else { out }
}

fn money(m: &Money) -> String {
    format!("{} {}", amount(m.amount), m.currency)
}

/// A key fingerprint's first characters (`SHA256:Ab3d9Kx2…`): enough to tell keys apart in a
/// table; the full fingerprint is in the JSON evidence and the people file.
fn short_key(key: &str) -> String {
    let n = key.find(':').map_or(0, |i| i + 1) + 8;
    if key.chars().count() > n + 1 {
        format!("{}…", key.chars().take(n).collect::<String>())
    } else {
        key.to_string()
    }
}

fn pct(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}%") } else { format!("{r:.1}%") }
}

impl<'a> Doc<'a> {
    fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.lang.fmt(key, args)
    }

    fn time(&self, t: Option<DateTime<FixedOffset>>) -> String {
        match t {
            Some(t) => t.with_timezone(&self.tz).format("%Y-%m-%d %H:%M").to_string(),
            None => "—".into(),
        }
    }

    fn day(&self, t: Option<DateTime<FixedOffset>>) -> String {
        match t {
            Some(t) => t.with_timezone(&self.tz).format("%Y-%m-%d").to_string(),
            None => "—".into(),
        }
    }

    fn date(d: Option<NaiveDate>) -> String {
        opt(d)
    }

    fn person(&self, p: &Person) -> String {
        p.name.clone()
    }

    fn yes(&self, b: Option<bool>) -> Cell {
        match b {
            Some(true) => marked(self.t("report.met"), Mark::Pass),
            Some(false) => marked(self.t("report.not_met"), Mark::Fail),
            None => "—".into(),
        }
    }

    fn status(&self, s: &str) -> Cell {
        let class = match s {
            "ok" => "ok",
            "warn" => "warn",
            "due" => "due",
            "eol" => "eol",
            "accepted" => "accepted",
            _ => "unknown",
        };
        cls(self.t(&format!("status.{s}")), class)
    }

    fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    fn build(mut self) -> Vec<Block> {
        let ev = self.ev;
        self.cover();
        let h = &ev.history;
        self.push(Block::P(self.f(
            "report.intro",
            &[
                ("head", &format!("`{}`", short(&h.head))),
                ("head_time", &self.time(Some(h.head_time))),
                ("commits", &h.commits),
                ("base", &format!("`{}`", short(&h.baseline))),
                ("today", &ev.period.to),
                ("tz", &ev.timezone),
            ],
        )));
        self.push(Block::P(self.t("report.intro_facts").to_string()));
        self.noncompliance();
        self.policy();
        self.inventory();
        self.accuracy();
        self.discovery();
        self.population();
        self.changes();
        self.duties();
        self.kpis();
        self.verification();
        self.signatures();
        self.blocks
    }

    /// A duration as words (`12h` → "12 hours" / "12 小时").
    fn duration(&self, text: &str) -> String {
        let Some(split) = text.find(|c: char| !c.is_ascii_digit()) else { return text.to_string() };
        let (n, unit) = text.split_at(split);
        let one = n == "1";
        let key = format!("dur.{unit}.{}", if one { "one" } else { "other" });
        match self.lang.try_t(&key) {
            Some(_) => self.f(&key, &[("n", &n)]),
            None => text.to_string(),
        }
    }

    fn policy(&mut self) {
        let ev = self.ev;
        let pol = &ev.policy;
        self.push(Block::H(2, self.t("report.s1").into()));
        let rows = pol.model.classes.values().map(|c| self.class_row(c)).collect();
        self.table(
            &[
                "report.col.class",
                "report.col.respond",
                "report.col.deploy",
                "report.col.chain",
                "report.col.confirm",
            ],
            rows,
        );
        let eol = &pol.model.eol;
        let plan = words::duration(self.lang, eol.plan_before);
        let finish = words::duration(self.lang, eol.finish_before);
        let basis = self.t(&format!("report.basis.{}", pol.basis));
        self.push(Block::P(
            self.f("report.eol_policy", &[("basis", &basis), ("plan", &plan), ("finish", &finish)]),
        ));
        let rules = words::rules(self.lang, &pol.model.rules);
        if !rules.is_empty() {
            self.push(Block::P(self.t("report.rules").into()));
            self.push(Block::List(rules));
        }
        if !pol.kpi_targets.is_empty() {
            let kpis: Vec<String> =
                pol.kpi_targets.iter().map(|(k, v)| format!("{} {v}", self.t(&format!("kpi.{k}")))).collect();
            self.push(Block::P(format!(
                "{} {}",
                self.t("report.kpi_targets"),
                kpis.join(self.t("report.sep"))
            )));
        }
        self.policy_files();
    }

    /// A class of the policy: its title, deadlines in words, its chain by role titles.
    fn class_row(&self, c: &crate::model::Class) -> Vec<Cell> {
        let lang = self.lang;
        let model = &self.ev.policy.model;
        let name = match &c.title {
            Some(t) => format!("{t} (`{}`)", c.name),
            None => format!("`{}`", c.name),
        };
        let dur = |d: Option<crate::model::Duration>| opt(d.map(|d| words::duration(lang, d)));
        let mut deploy = dur(c.deploy_within);
        if let Some(r) = c.retroactive_within {
            deploy = format!(
                "{deploy}{}{}",
                self.t("report.semi"),
                self.f("report.retroactive", &[("d", &words::duration(lang, r))])
            );
        }
        if let Some(m) = c.max_duration {
            deploy = format!(
                "{deploy}{}{}",
                self.t("report.semi"),
                self.f("report.max_duration", &[("d", &words::duration(lang, m))])
            );
        }
        let chain = match &c.chain {
            crate::model::Chain::Roles(r) => words::chain(model, r, lang),
            crate::model::Chain::ByCriticality { by, default } => {
                let mut parts: Vec<String> = by
                    .iter()
                    .map(|(k, r)| {
                        format!(
                            "{}{}{}",
                            self.t(&format!("report.criticality.{}", crate::report::word(k))),
                            self.t("report.colon"),
                            words::chain(model, r, lang)
                        )
                    })
                    .collect();
                if let Some(d) = default {
                    parts.push(format!(
                        "{}{}{}",
                        self.t("report.criticality.default"),
                        self.t("report.colon"),
                        words::chain(model, d, lang)
                    ));
                }
                parts.join(self.t("report.semi"))
            }
        };
        vec![
            Cell::from(name),
            Cell::from(dur(c.respond_within)),
            Cell::from(deploy),
            Cell::from(chain),
            Cell::from(opt(c.confirm.as_deref().map(|r| words::role_title(model, r, lang)))),
        ]
    }

    fn register_row(&self, r: &RegisterRow) -> Vec<Cell> {
        vec![
            Cell::from(format!("{} (`{}`)", r.system_name, r.system)),
            Cell::from(r.component.clone()),
            Cell::from(match (&r.latest, r.behind) {
                (Some(latest), Some(true)) => {
                    format!("{} · {}", r.version, self.f("report.behind", &[("latest", latest)]))
                }
                _ => r.version.clone(),
            }),
            Cell::from(Self::date(r.end)),
            Cell::from(Self::date(r.plan_by)),
            Cell::from(Self::date(r.finish_by)),
            self.status(r.status),
            Cell::from(match (&r.change, &r.exception) {
                (Some(c), _) => format!("`{c}`"),
                (None, Some(e)) => format!("`{e}`"),
                _ => "—".into(),
            }),
        ]
    }

    fn inventory(&mut self) {
        let ev = self.ev;
        let inv = &ev.inventory;
        self.push(Block::H(2, self.f("report.s2", &[("date", &inv.as_of)])));
        let s = &inv.summary;
        self.push(Block::P(self.f(
            "report.summary",
            &[
                ("systems", &s.systems),
                ("components", &s.components),
                ("ok", &s.ok),
                ("warn", &s.warn),
                ("due", &s.due),
                ("eol", &s.eol),
                ("unknown", &s.unknown),
                ("accepted", &s.accepted),
                ("commit", &format!("`{}`", short(inv.commit.as_deref().unwrap_or("—")))),
            ],
        )));
        let patch = &inv.patch;
        if patch.known > 0 {
            let share = pct(patch.current as f64 * 100.0 / patch.known as f64);
            let args: [(&str, &dyn std::fmt::Display); 4] = [
                ("current", &patch.current),
                ("known", &patch.known),
                ("share", &share),
                ("overdue", &patch.overdue.len()),
            ];
            self.push(Block::P(self.f("report.patch_level", &args)));
        }
        self.push(Block::Figure {
            html: timeline::timeline(self.ev, self.lang),
            text: self.t("report.timeline_md").into(),
        });
        self.push(Block::H(3, self.t("report.register").into()));
        let head = self.heads(&[
            "col.system",
            "col.component",
            "col.version",
            "col.ends",
            "report.col.plan_by",
            "report.col.finish_by",
            "col.status",
            "report.col.change",
        ]);
        for bucket in ["past", "within_3mo", "within_6mo"] {
            let rows: Vec<Vec<Cell>> =
                inv.register.iter().filter(|r| r.bucket == bucket).map(|r| self.register_row(r)).collect();
            let title = self.f(&format!("report.bucket.{bucket}"), &[("n", &rows.len())]);
            self.push(Block::P(format!("**{title}**")));
            if !rows.is_empty() {
                self.push(Block::Table(head.clone(), rows));
            }
        }
        self.push(Block::H(3, self.t("report.exceptions").into()));
        if inv.exceptions.is_empty() {
            self.push(Block::P(self.t("report.none").into()));
        } else {
            let head = self.heads(&[
                "col.system",
                "col.component",
                "report.col.until",
                "report.col.change",
                "report.col.accepted_by",
                "report.col.reason",
            ]);
            let rows = inv
                .exceptions
                .iter()
                .map(|e| {
                    vec![
                        Cell::from(format!("`{}`", e.system)),
                        Cell::from(e.component.clone()),
                        Cell::from(e.until.to_string()),
                        Cell::from(format!("`{}`", e.change)),
                        Cell::from(
                            e.accepted_by
                                .iter()
                                .map(|p| match &p.title {
                                    Some(t) => format!("{} ({t})", p.name),
                                    None => p.name.clone(),
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        Cell::from(opt(e.reason.clone())),
                    ]
                })
                .collect();
            self.push(Block::Table(head, rows));
        }
    }

    fn discovery(&mut self) {
        let ev = self.ev;
        self.push(Block::H(2, self.t("report.s3").into()));
        self.push(Block::P(self.t("report.discovery_intro").into()));
        self.push(Block::H(3, self.t("report.discovery_eol").into()));
        if ev.discovery.eol.is_empty() {
            self.push(Block::P(self.t("report.none").into()));
        } else {
            let head = self.heads(&[
                "col.system",
                "col.component",
                "col.ends",
                "report.col.known",
                "report.col.lead",
                "report.col.change",
                "report.col.requested",
                "report.col.approved",
            ]);
            let rows = ev
                .discovery
                .eol
                .iter()
                .map(|e| {
                    let lead = match (e.lead_days, e.plan_by) {
                        (Some(d), _) => {
                            let warned = e.known_at.is_some_and(|k| {
                                e.plan_by.is_some_and(|p| k.with_timezone(&self.tz).date_naive() <= p)
                            });
                            if warned { cls(d.to_string(), "ok") } else { cls(d.to_string(), "warn") }
                        }
                        _ => "—".into(),
                    };
                    vec![
                        Cell::from(format!("`{}`", e.system)),
                        Cell::from(format!("{} {}", e.component, e.version)),
                        Cell::from(e.end.to_string()),
                        Cell::from(match &e.known_in {
                            Some(c) => format!("{} `{}`", self.day(e.known_at), short(c)),
                            None => "—".into(),
                        }),
                        lead,
                        Cell::from(opt(e.action.as_ref().map(|a| {
                            format!(
                                "`{}`{}",
                                a.change,
                                words::paren(self.lang, &words::state_word(self.lang, a.state))
                            )
                        }))),
                        Cell::from(self.day(e.action.as_ref().and_then(|a| a.requested_at))),
                        Cell::from(self.day(e.action.as_ref().and_then(|a| a.approved_at))),
                    ]
                })
                .collect();
            self.push(Block::Table(head, rows));
        }
        self.push(Block::H(3, self.t("report.discovery_advisories").into()));
        if ev.discovery.advisories.is_empty() {
            self.push(Block::P(self.t("report.none").into()));
        } else {
            let head = self.heads(&[
                "report.col.advisory",
                "report.col.severity",
                "report.col.kev",
                "report.col.detected",
                "report.col.known",
                "report.col.change",
                "report.col.approved",
            ]);
            let rows = ev
                .discovery
                .advisories
                .iter()
                .map(|a| {
                    vec![
                        Cell::from(format!("`{}`", a.id)),
                        Cell::from(self.lang.try_t(&format!("risk.{}", a.severity)).unwrap_or(a.severity)),
                        Cell::from(if a.kev { self.t("report.yes") } else { self.t("report.no") }),
                        Cell::from(self.time(Some(a.detected_at))),
                        Cell::from(match &a.known_in {
                            Some(c) => format!("{} `{}`", self.day(a.known_at), short(c)),
                            None => "—".into(),
                        }),
                        Cell::from(if a.actions.is_empty() {
                            "—".to_string()
                        } else {
                            a.actions
                                .iter()
                                .map(|x| {
                                    format!(
                                        "`{}`{}",
                                        x.change,
                                        words::paren(self.lang, &words::state_word(self.lang, x.state))
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        }),
                        Cell::from(self.day(a.actions.iter().filter_map(|x| x.approved_at).min())),
                    ]
                })
                .collect();
            self.push(Block::Table(head, rows));
        }
        self.discovery_runs();
    }

    fn population(&mut self) {
        let ev = self.ev;
        let c = &ev.changes;
        self.push(Block::H(2, self.t("report.s4").into()));
        self.push(Block::P(self.f(
            "report.population",
            &[
                ("requests", &c.requests.len()),
                ("versions", &c.version_changes.len()),
                ("unapproved", &c.unapproved),
                ("base", &format!("`{}`", short(&ev.history.baseline))),
                ("head", &format!("`{}`", short(&ev.history.head))),
                ("commits", &ev.history.commits),
            ],
        )));
        if !c.requests.is_empty() {
            let head = self.heads(&[
                "report.col.change",
                "report.col.title",
                "report.col.class",
                "col.status",
                "report.col.requested",
                "report.col.approved",
                "report.col.included",
            ]);
            let rows = c
                .requests
                .iter()
                .map(|r| {
                    vec![
                        Cell::from(format!("`{}`", r.id)),
                        Cell::from(r.title.clone()),
                        Cell::from(r.class_title.clone().unwrap_or_else(|| r.class.clone())),
                        self.state(r.state),
                        Cell::from(self.day(Some(r.requested_at))),
                        Cell::from(self.day(r.approved_at)),
                        Cell::from(
                            r.included_for
                                .iter()
                                .map(|w| self.t(&format!("report.why.{w}")))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ]
                })
                .collect();
            self.push(Block::Table(head, rows));
        }
        self.push(Block::H(3, self.t("report.versions").into()));
        if c.version_changes.is_empty() {
            self.push(Block::P(self.t("report.none").into()));
        } else {
            let head = self.heads(&[
                "report.col.commit",
                "report.col.date",
                "col.system",
                "col.component",
                "report.col.from_to",
                "report.col.approved_by",
            ]);
            let rows = c
                .version_changes
                .iter()
                .map(|v| {
                    vec![
                        Cell::from(format!("`{}`", short(&v.commit))),
                        Cell::from(self.time(Some(v.at))),
                        Cell::from(format!("`{}`", v.system)),
                        Cell::from(v.component.clone()),
                        Cell::from(format!("{} → {}", v.from, v.to)),
                        match &v.approved_by {
                            Some(id) => cls(format!("`{id}`"), "ok"),
                            None => marked(self.t("report.unapproved"), Mark::Fail),
                        },
                    ]
                })
                .collect();
            self.push(Block::Table(head, rows));
        }
    }

    fn state(&self, s: &str) -> Cell {
        let class = match s {
            "complete" | "approved" => "ok",
            "rejected" => "eol",
            _ => "warn",
        };
        cls(self.t(&format!("report.state.{s}")), class)
    }

    fn signoff_row(&self, r: &SignOffRow) -> Vec<Cell> {
        vec![
            Cell::from(r.seq.to_string()),
            Cell::from(words::role_title(&self.ev.policy.model, &r.stage, self.lang)),
            Cell::from(self.person(&r.by)),
            Cell::from(opt(r.by.title.clone())),
            Cell::from(self.time(r.at)),
            Cell::from(self.t(&format!("report.decision.{}", r.decision))),
            Cell::from(r.comment.clone()),
            Cell::from(format!("`{}`", short_key(&r.key))),
            match (r.verified, r.standing) {
                (true, "valid") => marked(self.t("report.sig_valid"), Mark::Pass),
                (true, "stale") => marked(self.t("report.sig_stale"), Mark::Warn),
                (true, code) => marked(code, Mark::Fail),
                (false, code) => marked(format!("{} ({code})", self.t("report.sig_invalid")), Mark::Fail),
            },
            Cell::from(match &r.commit {
                Some(c) if r.commit_signed => format!("`{}`", short(c)),
                Some(c) => format!("`{}` ({})", short(c), self.t("report.unsigned_commit")),
                None => "—".into(),
            }),
        ]
    }

    fn changes(&mut self) {
        let ev = self.ev;
        self.push(Block::H(2, self.t("report.s5").into()));
        self.plain_language();
        if ev.changes.requests.is_empty() {
            self.push(Block::P(self.t("report.none").into()));
        }
        for r in &ev.changes.requests {
            self.change(r);
        }
    }

    fn change(&mut self, r: &ChangeEntry) {
        self.push(Block::H(3, format!("{} — {}", r.id, r.title)));
        let mut facts = vec![
            format!(
                "{}: {} (`{}`) · {}: {}",
                self.t("report.col.class"),
                r.class_title.clone().unwrap_or_else(|| r.class.clone()),
                r.class,
                self.t("col.status"),
                self.t(&format!("report.state.{}", r.state))
            ),
            self.f(
                "report.requested_by",
                &[
                    ("name", &r.requested_by.name),
                    ("title", &opt(r.requested_by.title.clone())),
                    ("at", &self.time(Some(r.requested_at))),
                    ("commit", &opt(r.requested_in.as_deref().map(|c| format!("`{}`", short(c))))),
                ],
            ),
        ];
        if !r.targets.is_empty() {
            facts.push(format!("{}: {}", self.t("report.targets"), r.targets.join("; ")));
        }
        if let Some(reason) = &r.reason {
            facts.push(format!("{}: {reason}", self.t("report.col.reason")));
        }
        if !r.advisories.is_empty() {
            facts.push(format!("{}: {}", self.t("report.col.advisory"), r.advisories.join(", ")));
        }
        if let Some(b) = &r.budget {
            facts.push(format!("{}: {}", self.t("report.budget"), money(b)));
        }
        if !r.links.is_empty() {
            let links: Vec<String> = r.links.iter().map(|l| format!("{} <{}>", l.label, l.url)).collect();
            facts.push(format!("{}: {}", self.t("report.links"), links.join(self.t("report.sep"))));
        }
        self.push(Block::List(facts));
        self.push(Block::H(4, self.t("report.chain").into()));
        if r.chain.is_empty() {
            self.push(Block::P(self.t("report.no_signoffs").into()));
        } else {
            let head = self.signoff_head();
            let rows = r.chain.iter().map(|s| self.signoff_row(s)).collect();
            self.push(Block::Table(head, rows));
        }
        if let Some(x) = &r.execution {
            self.execution(x);
        }
        self.push(Block::H(4, self.t("report.confirmation").into()));
        match &r.confirmation {
            Some(c) => {
                self.push(Block::P(self.f(
                    "report.confirmed",
                    &[
                        ("name", &c.by.name),
                        ("title", &opt(c.by.title.clone())),
                        ("at", &self.time(c.at)),
                        ("comment", &c.comment),
                    ],
                )));
                let head = self.signoff_head();
                self.push(Block::Table(head, vec![self.signoff_row(c)]));
            }
            None => self.push(Block::P(self.t("report.not_confirmed").into())),
        }
        if !r.findings.is_empty() {
            self.push(Block::H(4, self.t("report.findings").into()));
            let items = r
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "`{}` ({}){}: {}",
                        f.code,
                        self.t(if f.severity == crate::eval::findings::Severity::Error {
                            "report.error"
                        } else {
                            "report.warning"
                        }),
                        f.commit.as_deref().map(|c| format!(" `{}`", short(c))).unwrap_or_default(),
                        f.message
                    )
                })
                .collect();
            self.push(Block::List(items));
        }
    }

    fn signoff_head(&self) -> Vec<String> {
        self.heads(&[
            "report.col.seq",
            "report.col.stage",
            "report.col.person",
            "report.col.position",
            "report.col.date",
            "report.col.decision",
            "report.col.comment",
            "report.col.key",
            "report.col.signature",
            "report.col.commit",
        ])
    }

    fn execution(&mut self, x: &Execution) {
        self.push(Block::H(4, self.t("report.execution").into()));
        self.push(Block::P(self.f(
            "report.executed",
            &[
                ("start", &self.time(Some(x.started_at))),
                ("end", &self.time(x.finished_at)),
                ("executor", &x.executed_by.name),
                ("supervisor", &opt(x.supervised_by.as_ref().map(|p| p.name.clone()))),
                ("outcome", &self.t(&format!("report.outcome.{}", x.outcome))),
                ("commit", &opt(x.commit.as_deref().map(|c| format!("`{}`", short(c))))),
            ],
        )));
        let head = self.heads(&[
            "report.col.measure",
            "report.col.target",
            "report.col.actual",
            "report.col.result",
        ]);
        let mut rows = Vec::new();
        if let Some((ok, total)) = x.hosts {
            let share = if total > 0 { pct(ok as f64 * 100.0 / total as f64) } else { "—".into() };
            rows.push(vec![
                Cell::from(self.t("report.hosts")),
                Cell::from(format!("{total}/{total} (100%)")),
                Cell::from(format!("{ok}/{total} ({share})")),
                self.yes(Some(ok == total)),
            ]);
        }
        if let Some(d) = &x.downtime {
            rows.push(vec![
                Cell::from(self.t("report.downtime")),
                Cell::from(
                    x.downtime_target
                        .as_ref()
                        .map(|t| format!("≤ {}", self.duration(t)))
                        .unwrap_or_else(|| "—".into()),
                ),
                Cell::from(self.duration(d)),
                self.yes(x.downtime_met),
            ]);
        }
        if x.cost.is_some() || x.budget.is_some() {
            let saving = match (&x.cost, &x.budget) {
                (Some(c), Some(b)) if b.amount > 0.0 && c.currency == b.currency => {
                    format!(" ({:+.1}%)", (c.amount - b.amount) / b.amount * 100.0)
                }
                _ => String::new(),
            };
            rows.push(vec![
                Cell::from(self.t("report.cost")),
                Cell::from(
                    x.budget.as_ref().map(|b| format!("≤ {}", money(b))).unwrap_or_else(|| "—".into()),
                ),
                Cell::from(format!("{}{saving}", opt(x.cost.as_ref().map(money)))),
                self.yes(x.cost_met),
            ]);
        }
        for m in &x.metrics {
            let unit = match m.unit.as_deref() {
                Some("%") => "%".to_string(),
                Some(u) => format!(" {u}"),
                None => String::new(),
            };
            let actual = match (m.before, m.after) {
                (Some(b), Some(a)) => format!(
                    "{}{unit} → {}{unit}{}",
                    amount(b),
                    amount(a),
                    m.change_pct.map(|p| format!(" ({p:+.0}%)")).unwrap_or_default()
                ),
                (None, Some(a)) => format!("{}{unit}", amount(a)),
                _ => "—".into(),
            };
            rows.push(vec![
                Cell::from(m.name.clone()),
                Cell::from(opt(m.target.clone())),
                Cell::from(actual),
                self.yes(m.met),
            ]);
        }
        rows.extend(self.execution_rules(x));
        if !rows.is_empty() {
            self.push(Block::Table(head, rows));
        }
        self.execution_facts(x);
    }

    fn duties(&mut self) {
        let ev = self.ev;
        self.push(Block::H(2, self.t("report.s6").into()));
        self.push(Block::H(3, self.t("report.sod").into()));
        if ev.separation_of_duties.is_empty() {
            self.push(Block::P(self.t("report.sod_none").into()));
        } else {
            let items = ev
                .separation_of_duties
                .iter()
                .map(|f| {
                    format!(
                        "`{}` `{}`{}: {}",
                        f.code,
                        f.change.as_deref().unwrap_or("—"),
                        f.commit.as_deref().map(|c| format!(" `{}`", short(c))).unwrap_or_default(),
                        f.message
                    )
                })
                .collect();
            self.push(Block::List(items));
        }
        self.push(Block::H(3, self.t("report.emergencies").into()));
        if ev.emergencies.is_empty() {
            self.push(Block::P(self.t("report.emergencies_none").into()));
        } else {
            let head = self.heads(&[
                "report.col.change",
                "report.col.class",
                "report.col.started",
                "report.col.approved",
                "report.col.deadline",
                "report.col.result",
            ]);
            let rows = ev
                .emergencies
                .iter()
                .map(|e| {
                    vec![
                        Cell::from(format!("`{}`", e.change)),
                        Cell::from(e.class.clone()),
                        Cell::from(self.time(e.started_at)),
                        Cell::from(self.time(e.approved_at)),
                        Cell::from(self.time(e.deadline)),
                        self.yes(e.within),
                    ]
                })
                .collect();
            self.push(Block::Table(head, rows));
        }
    }

    fn kpis(&mut self) {
        let ev = self.ev;
        self.push(Block::H(2, self.t("report.s7").into()));
        let (head, rows) = kpi_rows(self.lang, &ev.kpis);
        self.push(Block::Table(head, rows));
        let misses: Vec<String> = ev
            .kpis
            .iter()
            .filter(|k| !k.misses.is_empty())
            .map(|k| {
                let shown: Vec<String> = k.misses.iter().map(|m| format!("`{m}`")).collect();
                format!("{}: {}", self.t(&format!("kpi.{}", k.name)), shown.join(", "))
            })
            .collect();
        if !misses.is_empty() {
            self.push(Block::P(self.t("report.kpi_misses").into()));
            self.push(Block::List(misses));
        }
    }

    /// Inventory accuracy (§5.4): the figure with its formula and population, every drift and every
    /// undeclared end-of-life package. Nothing when the inventory has no observations.
    fn accuracy(&mut self) {
        let Some(a) = &self.ev.accuracy else { return };
        self.push(Block::H(3, self.t("report.acc.title").into()));
        let value = a.value.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into());
        self.push(Block::P(self.f(
            "report.acc.figure",
            &[
                ("value", &value),
                ("confirmed", &a.confirmed),
                ("declared", &a.declared),
                ("scanned", &a.scanned),
                ("observed", &a.systems_observed),
                ("systems", &a.systems),
                ("stale", &a.systems_stale),
                ("max_age", &a.max_age),
            ],
        )));
        self.push(Block::P(self.t("report.acc.authority").into()));
        if !a.undeclared_eol.is_empty() {
            let rows = a
                .undeclared_eol
                .iter()
                .map(|u| {
                    let end = u.end.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
                    self.f(
                        "report.acc.undeclared",
                        &[
                            ("system", &u.system),
                            ("product", &u.product),
                            ("versions", &u.versions.join(", ")),
                            ("end", &end),
                        ],
                    )
                })
                .collect();
            self.push(Block::List(rows));
        }
        if a.drifts.is_empty() {
            self.push(Block::P(self.t("report.acc.no_drift").into()));
            return;
        }
        let head = self.heads(&[
            "report.acc.system",
            "report.acc.component",
            "report.acc.declared",
            "report.acc.observed",
            "report.acc.drift",
            "report.acc.collected",
        ]);
        let rows = a
            .drifts
            .iter()
            .map(|d| {
                let drift = self
                    .t(&format!(
                        "report.acc.drift_{}",
                        serde_json::to_value(d.drift)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    ))
                    .to_string();
                let mut observed = d.observed.join(", ");
                if !d.hosts.is_empty() {
                    observed = format!("{observed} ({})", d.hosts.join(", "));
                }
                vec![
                    Cell::from(format!("`{}`", d.system)),
                    Cell::from(d.component.clone()),
                    Cell::from(d.declared.clone()),
                    Cell::from(if observed.is_empty() { "—".to_string() } else { observed }),
                    Cell::from(drift),
                    Cell::from(self.time(Some(d.collected_at))),
                ]
            })
            .collect();
        self.push(Block::Table(head, rows));
    }

    fn verification(&mut self) {
        let ev = self.ev;
        let v = &ev.verification;
        self.push(Block::H(2, self.t("report.s8").into()));
        self.push(Block::P(self.f(
            "report.verify_result",
            &[("signoffs", &v.signoffs_checked), ("errors", &v.errors), ("warnings", &v.warnings)],
        )));
        self.push(Block::P(self.t("report.verify_intro").into()));
        self.push(Block::Code(v.commands.clone()));
        self.push(Block::P(self.t("report.verify_outro").into()));
    }
}

/// The KPI table (head, rows), shared by the report and `lifecycle kpi`.
fn kpi_rows(lang: Lang, kpis: &[Kpi]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let head = [
        "report.col.kpi",
        "report.col.target",
        "report.col.measured",
        "report.col.result",
        "report.col.formula",
        "report.col.population",
    ]
    .iter()
    .map(|k| lang.t(k).to_string())
    .collect();
    let rows = kpis.iter().map(|k| kpi_row(lang, k)).collect();
    (head, rows)
}

fn kpi_value(lang: Lang, k: &Kpi) -> String {
    match (k.value, k.unit) {
        (None, _) => lang.t("report.na").to_string(),
        (Some(v), "hours") => lang.fmt(
            "kpi.hours_value",
            &[("worst", &format!("{v:.1}")), ("median", &format!("{:.1}", k.median.unwrap_or(v)))],
        ),
        (Some(v), _) => format!("{} ({}/{})", pct(v), k.numerator.unwrap_or(0), k.population),
    }
}

fn kpi_row(lang: Lang, k: &Kpi) -> Vec<Cell> {
    let result = match k.pass {
        Some(true) => marked(lang.t("report.pass"), Mark::Pass),
        Some(false) => marked(lang.t("report.fail"), Mark::Fail),
        None if k.value.is_none() => cls(lang.t("report.na"), "unknown"),
        None => cls(lang.t("report.no_target"), "unknown"),
    };
    vec![
        Cell::from(lang.t(&format!("kpi.{}", k.name))),
        Cell::from(k.target.clone().unwrap_or_else(|| "—".into())),
        Cell::from(kpi_value(lang, k)),
        result,
        Cell::from(lang.t(&format!("kpi.{}.formula", k.name))),
        Cell::from(lang.fmt(&format!("kpi.{}.population", k.name), &[("n", &k.population)])),
    ]
}

/// The evidence pack as Markdown.
pub fn markdown(ev: &Evidence, lang: Lang) -> String {
    doc::markdown(&blocks(ev, lang, document_id(ev)))
}

/// The KPI table alone, for a terminal (`lifecycle kpi`).
pub fn kpi_table(ev: &Evidence, lang: Lang, color: bool, width: Option<u16>) -> String {
    use comfy_table::{Color, ContentArrangement, Table, presets};
    let (head, rows) = kpi_rows(lang, &ev.kpis);
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    t.set_header(head);
    for r in rows {
        t.add_row(r.into_iter().map(|c| {
            let text = c.text.replace('`', "");
            let cell = comfy_table::Cell::new(text);
            match (color, c.class) {
                (true, Some("ok")) => cell.fg(Color::Green),
                (true, Some("eol")) => cell.fg(Color::Red),
                (true, Some("unknown")) => cell.fg(Color::DarkGrey),
                _ => cell,
            }
        }));
    }
    let intro = lang.fmt(
        "kpi.intro",
        &[("from", &ev.period.from), ("to", &ev.period.to), ("head", &short(&ev.history.head))],
    );
    format!("{intro}\n{t}\n")
}

fn blocks(ev: &Evidence, lang: Lang, id: String) -> Vec<Block> {
    let tz = ev.timezone.parse().unwrap_or(chrono_tz::UTC);
    Doc { ev, lang, tz, id, blocks: Vec::new() }.build()
}

/// The evidence pack as one self-contained HTML file, which prints (A4, page numbers, document id).
pub fn html(ev: &Evidence, lang: Lang) -> String {
    let title = lang.fmt("report.title", &[("from", &ev.period.from), ("to", &ev.period.to)]);
    let footer = lang.fmt(
        "report.footer",
        &[("head", &ev.history.head), ("today", &ev.period.to), ("version", &env!("CARGO_PKG_VERSION"))],
    );
    let id = document_id(ev);
    let left = lang.fmt("report.page_left", &[("id", &id)]);
    doc::html(
        &blocks(ev, lang, id),
        if lang == Lang::ZhCn { "zh-CN" } else { "en" },
        &title,
        &footer,
        (&left, lang.t("report.page_right")),
    )
}

/// The document id: the head commit and the digest of the JSON evidence, so that a printed page
/// names exactly the evidence it shows.
pub fn document_id(ev: &Evidence) -> String {
    use sha2::Digest;
    /// The JSON's bytes go straight into the digest (a large pack's JSON is tens of megabytes).
    struct Hashing(sha2::Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(sha2::Sha256::new());
    // Serialising plain data into a sink that cannot fail does not fail.
    let _ = serde_json::to_writer(std::io::BufWriter::with_capacity(1 << 16, &mut h), ev);
    let hex = hex::encode(h.0.finalize());
    format!("LC-{}-{}", short(&ev.history.head), &hex[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_thousands_separators() {
        assert_eq!(amount(42800.0), "42,800");
        assert_eq!(amount(45000.0), "45,000");
        assert_eq!(amount(999.0), "999");
        assert_eq!(amount(1234567.5), "1,234,567.5");
        assert_eq!(amount(2.8), "2.8");
        assert_eq!(amount(-1000.0), "-1,000");
    }
}
