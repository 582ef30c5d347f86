//! The rules of one commit besides sign-offs and policy files: the clock (§4.6), commit signatures,
//! unreadable files, edits that make sign-offs stale, and the inventory events of §4.5.

use std::rc::Rc;

use chrono::{DateTime, FixedOffset};
use git2::Oid;

use super::inventory::{self, Held, Pairing, Side};
use super::{Event, Step, VersionMove, Walk};
use crate::diag::Reason;
use crate::eval::approvals::{ChangeEval, exception_bound};
use crate::eval::findings::{Finding, refused};
use crate::eval::status::{self, Status};
use crate::git::{Change, ChangeKind};
use crate::model::statement::Decision;
use crate::model::statement::digest;
use crate::model::{ChangeRequest, ClassKind, Person, Policy, Repository, SignOff, System, Target};
use crate::sign::{self, GIT_NAMESPACE, Trust};

/// The systems of some files, by path.
type Files = Vec<(String, Rc<Vec<System>>)>;

/// How far a commit may be dated before its parent before it is a finding (clocks drift).
const CLOCK_SLACK_MINUTES: i64 = 10;

/// The classes whose approved changes cover an inventory event.
const CHANGES: &[ClassKind] = &[ClassKind::Change];
/// An addition may also be covered by an accepted risk.
const CHANGES_OR_EXCEPTIONS: &[ClassKind] = &[ClassKind::Change, ClassKind::Exception];

impl Walk<'_> {
    /// `time-regression`: a commit dated well before its parent. The walk's clock never goes back, so
    /// a back-dated commit is judged at the latest date seen on the line.
    pub(super) fn judge_clock(&mut self, time: DateTime<FixedOffset>, cid: &str) {
        if let Some(clock) = self.clock
            && time < clock - chrono::Duration::minutes(CLOCK_SLACK_MINUTES)
        {
            self.findings.push(
                Finding::warning(
                    "time-regression",
                    format!("commit is dated {time}, before the {clock} of an earlier commit on the line; order, not dates, decides"),
                )
                .words("judge.time_regression", &[("time", &time), ("clock", &clock)])
                .commit(Some(cid)),
            );
        }
        self.clock = Some(self.clock.map_or(time, |c| c.max(time)));
    }

    /// The date the walk judges statuses on: the latest commit time so far, in the repository's zone.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        let tz = self.settings.timezone;
        self.clock.map(|c| c.with_timezone(&tz).date_naive()).unwrap_or_default()
    }

    /// Claims that contradict the order (SPEC §4.6): a sign-off before its request existed, a
    /// confirmation before the execution finished.
    pub(super) fn judge_claims(&mut self, change: &str, s: &SignOff, time: DateTime<FixedOffset>, cid: &str) {
        let st = &s.file.statement;
        let Ok(at) = DateTime::parse_from_rfc3339(&st.at) else { return };
        let Some(request) = self.request(change) else { return };
        // The commit that wrote the request, when it came before this one (a merge or a squash lands
        // the request and its sign-offs together: then only `requested_at` is known).
        let written = self.request_time.get(change).filter(|(p, _)| *p < self.position).map(|(_, t)| *t);
        let first = [Some(request.requested_at), written].into_iter().flatten().max();
        // Clocks of different machines drift: the same slack as for `time-regression`.
        let slack = chrono::Duration::minutes(CLOCK_SLACK_MINUTES);
        if let Some(first) = first
            && (at < first - slack || time < first - slack)
        {
            self.findings.push(
                Finding::error(
                    "signed-before-request",
                    format!("{} claims to be signed at {at} (committed {time}), before its request existed ({first})", s.path),
                )
                .words(
                    "judge.signed_before_request",
                    &[("path", &s.path), ("at", &at), ("time", &time), ("first", &first)],
                )
                .at(&s.path, None)
                .change(change)
                .commit(Some(cid)),
            );
        }
        if st.decision == Decision::Confirmed
            && let Some(report) = &request.report
        {
            let done = report.finished_at.unwrap_or(report.started_at);
            if at < done {
                self.findings.push(
                    Finding::error(
                        "confirmed-before-finished",
                        format!(
                            "{} confirms completion at {at}, before the execution finished ({done})",
                            s.path
                        ),
                    )
                    .words("judge.confirmed_early", &[("path", &s.path), ("at", &at), ("done", &done)])
                    .at(&s.path, None)
                    .change(change)
                    .commit(Some(cid)),
                );
            }
        }
    }

    /// `exception-too-long`: an approved exception whose `until` passes its chain's completion plus the
    /// class's `max_duration` (check and report cap the acceptance there).
    pub(super) fn judge_exception(&mut self, change: &ChangeRequest, eval: &ChangeEval, policy: &Policy) {
        let class = policy.classes.get(&change.class);
        if !eval.is_approved() || class.map(|c| c.kind) != Some(ClassKind::Exception) {
            return;
        }
        let (Some(until), Some(bound)) = (change.until, exception_bound(class, eval, self.settings.timezone))
        else {
            return;
        };
        if until > bound {
            let line = change.fields.at("until", &change.origin).line;
            self.findings.push(
                Finding::error(
                    "exception-too-long",
                    format!("{} accepts the risk until {until}, past {bound} (its approval plus the class's max_duration); it counts only until {bound}", change.id),
                )
                .words("judge.exception_too_long", &[("id", &change.id), ("until", &until), ("bound", &bound)])
                .at(&change.origin.path, Some(line))
                .change(&change.id),
            );
        }
    }

    /// With `rules.require_signed_commits`, a commit changing a watched file must be signed by a key
    /// trusted at its parent (SPEC §4.6).
    pub(super) fn judge_commit_signature(
        &mut self,
        commit: Oid,
        deltas: &[Change],
        policy: &Policy,
        trust: &Trust,
        cid: &str,
    ) {
        if !policy.rules.require_signed_commits || deltas.is_empty() {
            return;
        }
        let signed = self
            .git
            .commit_signature(commit)
            .is_some_and(|(sig, data)| sign::verify(trust, &data, &sig, GIT_NAMESPACE).is_ok());
        if !signed {
            self.findings.push(
                Finding::error(
                    "unsigned-commit",
                    format!("the commit changes {} but is not signed by a key of the people file (rules.require_signed_commits)", deltas[0].path),
                )
                .words("judge.unsigned_commit", &[("path", &deltas[0].path)])
                .at(&deltas[0].path, None)
                .commit(Some(cid)),
            );
        }
    }

    /// Whether a blob reads and parses as the kind of file its path names: `None`, or why not. A
    /// system file's systems are kept, so the walk parses each blob once.
    fn invalid(&mut self, d: &Change) -> Option<(Reason, u32)> {
        if let Some(v) = self.validity.get(&(d.new, d.link)) {
            return v.clone();
        }
        let signoff = d.path.contains("/approvals/")
            && d.path.starts_with(&format!("{}/", self.settings.paths.changes));
        let verdict = if d.link {
            Some((Reason::t("ledger.symlink", &[]), 0))
        } else if signoff {
            // Sign-offs are read, and an unreadable one reported, where they are judged.
            None
        } else {
            let loaded = self.load(vec![(d.path.clone(), d.new)]);
            // A system file stands alone: any error in it (a date out of range too) makes it invalid.
            // Other files refer to each other, so only what does not parse counts here.
            let system = d.path.starts_with(&format!("{}/", self.settings.paths.systems));
            let first = match system {
                true => loaded.diagnostics.iter().find(|x| x.is_error()),
                false => loaded.unparsed.first(),
            };
            let first = first.map(|diag| (refused(diag), diag.origin.line));
            if first.is_none() && system {
                self.systems.entry(d.new).or_insert_with(|| Rc::new(loaded.repo.systems));
            }
            first
        };
        self.validity.insert((d.new, d.link), verdict.clone());
        verdict
    }

    /// `invalid-file`: a watched file that is a link, unreadable or unparsable is an error whatever
    /// covers it, and the walk keeps its last valid state, so that a move across the invalid state is
    /// still judged as a move. Returns the deltas to apply, each `old` being the last valid blob.
    pub(super) fn screen(&mut self, deltas: Vec<Change>, cid: &str) -> Vec<Change> {
        let mut out = Vec::with_capacity(deltas.len());
        for mut d in deltas {
            let last = self.index.get(&d.path).copied();
            if d.kind != ChangeKind::Deleted
                && let Some((why, line)) = self.invalid(&d)
            {
                self.findings
                    .push(Finding::invalid_file(&d.path, why).at(&d.path, Some(line)).commit(Some(cid)));
                continue;
            }
            match last {
                Some(old) => {
                    d.old = old;
                    if d.kind == ChangeKind::Added {
                        d.kind = ChangeKind::Modified;
                    }
                    if d.kind == ChangeKind::Modified && d.old == d.new {
                        continue;
                    }
                }
                None if d.kind == ChangeKind::Deleted => continue,
                None => d.kind = ChangeKind::Added,
            }
            out.push(d);
        }
        out
    }

    /// A request or report edited after it was signed: every sign-off it makes stale is named with
    /// the commit that did it (SPEC §4.5).
    pub(super) fn judge_edits(&mut self, deltas: &[Change], cid: &str) {
        let prefix = format!("{}/", self.settings.paths.changes);
        for d in deltas.iter().filter(|d| d.kind == ChangeKind::Modified) {
            let Some(rest) = d.path.strip_prefix(&prefix) else { continue };
            let Some((change, file)) = rest.split_once('/') else { continue };
            if file != "request.yaml" && file != "report.yaml" {
                continue;
            }
            let was = digest(&self.blob(d.old));
            for (_, s) in self.signoffs_of(change) {
                let st = &s.file.statement;
                if st.subject_digest == was && file.starts_with(st.subject.as_str()) {
                    self.findings.push(
                        Finding::error(
                            "stale-signoff",
                            format!(
                                "this commit edited {} after {} ({} {}) signed it; the sign-off no longer counts",
                                d.path, s.path, st.stage, st.by
                            ),
                        )
                        .words(
                            "judge.stale",
                            &[("path", &d.path), ("signoff", &s.path), ("role", &st.stage), ("by", &st.by)],
                        )
                        .at(&d.path, None)
                        .change(change)
                        .commit(Some(cid)),
                    );
                }
            }
        }
    }

    /// Whether `old` → `new` is the move of the systems folder an approved settings change makes.
    fn folder_moved(&self, old: &str, new: &str) -> bool {
        self.moved_folder.as_ref().is_some_and(|(from, to)| {
            old.strip_prefix(from.as_str()).is_some_and(|rest| new.strip_prefix(to.as_str()) == Some(rest))
        })
    }

    /// The systems of the changed system files on each side (the parent's last valid state, and the
    /// commit's).
    fn sides(&mut self, deltas: &[Change]) -> (Files, Files) {
        let prefix = format!("{}/", self.settings.paths.systems);
        let moved = self.moved_folder.as_ref().map(|(_, new)| format!("{new}/"));
        let (mut old, mut new) = (Vec::new(), Vec::new());
        let watched =
            |p: &str| p.starts_with(&prefix) || moved.as_ref().is_some_and(|m| p.starts_with(m.as_str()));
        for d in deltas.iter().filter(|d| watched(&d.path)) {
            if d.kind != ChangeKind::Added {
                old.push((d.path.clone(), self.systems_in(&d.path, d.old)));
            }
            if d.kind != ChangeKind::Deleted {
                new.push((d.path.clone(), self.systems_in(&d.path, d.new)));
            }
        }
        (old, new)
    }

    /// Every inventory event of §4.5 in the changed system files, each judged against the approved
    /// changes in force.
    pub(super) fn judge_inventory(
        &mut self,
        deltas: &[Change],
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        catalog: &Repository,
        cid: &str,
        step: &mut Step,
    ) {
        let (old, new) = self.sides(deltas);
        if old.is_empty() && new.is_empty() {
            return;
        }
        let (old_sides, new_sides) = (sides_of(&old), sides_of(&new));
        let new_ids: std::collections::HashSet<&str> =
            new_sides.iter().map(|s| s.system.id.as_str()).collect();
        let today = self.today();
        let mut events: Vec<Event> = Vec::new();
        let mut versions: Vec<VersionMove> = Vec::new();
        let mut removed_systems: Vec<(String, String)> = Vec::new();
        for p in inventory::pair(&old_sides, &new_sides) {
            match p {
                Pairing::Same(o, n) => {
                    if o.path != n.path && !self.folder_moved(o.path, n.path) {
                        events.push(event(
                            "unapproved-inventory-change",
                            "file-moved",
                            &o,
                            &n,
                            o.path,
                            n.path,
                        ));
                    }
                    if o.component.product != n.component.product {
                        let (b, a) = (&o.component.product, &n.component.product);
                        events.push(event("unapproved-inventory-change", "replaced", &o, &n, b, a));
                    }
                    if o.component.version != n.component.version {
                        versions.push(version_move(&o, &n));
                    } else {
                        let was = status::standing(catalog, o.system, o.component, today);
                        let now = status::standing(catalog, n.system, n.component, today);
                        if was.improved_by(&now) {
                            let (b, a) = (end_text(&was), end_text(&now));
                            events.push(event("unapproved-eol-move", "eol-moved", &o, &n, &b, &a));
                        }
                    }
                }
                Pairing::Renamed(o, n) => {
                    let (b, a) = (key_text(&o), key_text(&n));
                    events.push(event("unapproved-inventory-change", "renamed", &o, &n, &b, &a));
                    if o.component.version != n.component.version {
                        versions.push(version_move(&o, &n));
                    }
                }
                Pairing::Replaced(o, n) => {
                    let (b, a) = (product_text(&o), product_text(&n));
                    events.push(event("unapproved-inventory-change", "replaced", &o, &n, &b, &a));
                }
                Pairing::Removed(o) if !new_ids.contains(o.system.id.as_str()) => {
                    if !removed_systems.iter().any(|(s, _)| *s == o.system.id) {
                        removed_systems.push((o.system.id.clone(), o.path.to_string()));
                    }
                }
                Pairing::Removed(o) => {
                    let mut e = event("unapproved-removal", "removed", &o, &o, &product_text(&o), "removed");
                    // The component is gone from the new file: point at its system.
                    e.line = o.system.origin.line;
                    events.push(e);
                }
                Pairing::Added(n) => {
                    let standing = status::standing(catalog, n.system, n.component, today);
                    let status = standing.status.as_str();
                    let mut e = event("unapproved-addition", "added", &n, &n, status, &product_text(&n));
                    e.free = standing.status == Status::Ok;
                    events.push(e);
                }
            }
        }
        for (system, path) in removed_systems {
            events.push(Event {
                code: "unapproved-removal",
                kind: "removed",
                system,
                component: None,
                before: None,
                after: Some("removed".into()),
                path,
                line: 0,
                approved_by: None,
                free: false,
                users: Vec::new(),
            });
        }
        self.cover_versions(versions, policy, before, cid, step);
        self.cover_events(events, policy, before, cid, step);
    }

    fn cover_versions(
        &mut self,
        mut moves: Vec<VersionMove>,
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        cid: &str,
        step: &mut Step,
    ) {
        if moves.is_empty() {
            return;
        }
        moves.sort_by(|a, b| (&a.system, &a.component).cmp(&(&b.system, &b.component)));
        let ids = self.change_ids();
        let classes = change_classes(policy);
        for mut m in moves {
            let keys = m.keys.clone();
            m.approved_by = self.approved_change(&ids, policy, before, CHANGES, |change| {
                change.targets.iter().any(|t| {
                    matches!(t, Target::Version { system: s, component: c, from: Some(f), to: Some(t), .. }
                        if keys.iter().any(|(ks, kc)| s == ks && c == kc) && *f == m.from && *t == m.to)
                })
            });
            if m.approved_by.is_none() {
                let (system, component, from, to) = (&m.system, &m.component, &m.from, &m.to);
                self.findings.push(
                    Finding::error(
                        "unapproved-version-change",
                        format!("{system}/{component} changed {from} → {to} without an approved change whose target matches; open one: lifecycle change new --class {classes} --target {system}/{component}={to}"),
                    )
                    .words(
                        "judge.unapproved_version",
                        &[("system", system), ("component", component), ("from", from), ("to", to), ("classes", &classes)],
                    )
                    .at(&m.path, Some(m.line))
                    .commit(Some(cid)),
                );
            }
            step.versions.push(m);
        }
    }

    fn cover_events(
        &mut self,
        events: Vec<Event>,
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        cid: &str,
        step: &mut Step,
    ) {
        if events.is_empty() {
            return;
        }
        let ids = self.change_ids();
        for mut e in events {
            if e.free {
                step.events.push(e);
                continue;
            }
            let kinds = if e.kind == "added" { CHANGES_OR_EXCEPTIONS } else { CHANGES };
            let wanted = |change: &ChangeRequest| change.targets.iter().any(|t| covers(t, &e));
            e.approved_by = self.approved_change(&ids, policy, before, kinds, wanted);
            if e.approved_by.is_none() {
                let finding = Finding::error(e.code, describe(&e)).text(describe_text(&e));
                self.findings.push(finding.at(&e.path, Some(e.line)).commit(Some(cid)));
            }
            step.events.push(e);
        }
    }
}

/// The classes whose changes cover inventory events, for hints: `feature|replacement`.
fn change_classes(policy: &Policy) -> String {
    let names: Vec<&str> =
        policy.classes.values().filter(|c| c.kind == ClassKind::Change).map(|c| c.name.as_str()).collect();
    if names.is_empty() { "<class>".to_string() } else { names.join("|") }
}

fn sides_of(v: &[(String, Rc<Vec<System>>)]) -> Vec<Side<'_>> {
    v.iter().flat_map(|(p, list)| list.iter().map(move |s| Side { path: p, system: s })).collect()
}

/// Whether a target covers an inventory event: it names the system (and the component, old or new
/// key) and, for a removal or an end-date move, says so.
fn covers(t: &Target, e: &Event) -> bool {
    let old_key = e.before.as_deref().filter(|_| e.kind == "renamed").and_then(|b| b.split_once('/'));
    let names = |system: &str, component: &str| {
        (system == e.system && Some(component) == e.component.as_deref())
            || old_key.is_some_and(|(s, c)| s == system && c == component)
    };
    match (t, e.kind) {
        (Target::System { system, to, .. }, "removed") => {
            *system == e.system && to.as_deref() == Some("removed")
        }
        (Target::Version { system, component, to, .. }, "removed") => {
            names(system, component) && to.as_deref() == Some("removed")
        }
        (Target::Version { system, component, eol, .. }, "eol-moved") => {
            names(system, component) && eol.as_deref() == e.after.as_deref()
        }
        (Target::System { system, .. }, "renamed" | "replaced" | "file-moved" | "added") => {
            *system == e.system || old_key.is_some_and(|(s, _)| s == system)
        }
        (Target::Version { system, component, .. }, "renamed" | "replaced" | "file-moved" | "added") => {
            names(system, component)
        }
        _ => false,
    }
}

fn describe(e: &Event) -> String {
    let what = match &e.component {
        Some(c) => format!("{}/{c}", e.system),
        None => format!("system {}", e.system),
    };
    let (b, a) = (e.before.as_deref().unwrap_or("—"), e.after.as_deref().unwrap_or("—"));
    let target = match (&e.component, e.kind) {
        (Some(c), "removed") => format!("{}/{c}", e.system),
        _ => e.system.clone(),
    };
    match e.kind {
        "renamed" => format!(
            "{b} was renamed to {a} without an approved change naming either; open one: lifecycle change new --class <class> --target {target}"
        ),
        "replaced" => format!(
            "{what} changed from {b} to {a} without an approved change naming it; open one: lifecycle change new --class <class> --target {target}"
        ),
        "file-moved" => format!(
            "{what} moved from {b} to {a} without an approved change naming it; open one: lifecycle change new --class <class> --target {target}"
        ),
        "removed" => format!(
            "{what} was removed without an approved change with `to: removed`; open one: lifecycle change new --class <class> --target {target}=removed"
        ),
        "added" => format!(
            "{what} ({a}) was added at status `{b}` without a change or an approved exception targeting it; open one: lifecycle change new --class <class> --target {target}"
        ),
        _ => format!(
            "{what}: its end date moved from {b} to {a}, improving its status, without an approved change with the new date (target {{system, component, eol: {a}}})"
        ),
    }
}

/// [`describe`] as an i18n key, for people reading another language.
fn describe_text(e: &Event) -> crate::diag::Text {
    let what = match &e.component {
        Some(c) => format!("{}/{c}", e.system),
        None => e.system.clone(),
    };
    let (b, a) = (e.before.as_deref().unwrap_or("—"), e.after.as_deref().unwrap_or("—"));
    let target = match (&e.component, e.kind) {
        (Some(c), "removed") => format!("{}/{c}", e.system),
        _ => e.system.clone(),
    };
    let key = match e.kind {
        "renamed" => "judge.renamed",
        "replaced" => "judge.replaced",
        "file-moved" => "judge.file_moved",
        "removed" => "judge.removed",
        "added" => "judge.added",
        _ => "judge.eol_moved",
    };
    crate::diag::Text::new(key, &[("what", &what), ("before", &b), ("after", &a), ("target", &target)])
}

fn event(code: &'static str, kind: &'static str, _o: &Held, n: &Held, before: &str, after: &str) -> Event {
    Event {
        code,
        kind,
        system: n.system.id.clone(),
        component: Some(n.component.name.clone()),
        before: Some(before.to_string()),
        after: Some(after.to_string()),
        path: n.path.to_string(),
        line: n.line(),
        approved_by: None,
        free: false,
        users: Vec::new(),
    }
}

fn version_move(o: &Held, n: &Held) -> VersionMove {
    VersionMove {
        system: n.system.id.clone(),
        component: n.component.name.clone(),
        from: o.component.version.clone(),
        to: n.component.version.clone(),
        path: n.path.to_string(),
        line: n.line(),
        approved_by: None,
        keys: vec![o.key(), n.key()],
    }
}

fn key_text(h: &Held) -> String {
    format!("{}/{}", h.system.id, h.component.name)
}

fn product_text(h: &Held) -> String {
    format!("{} {}", h.component.product, h.component.version)
}

/// An end as a target's `eol` writes it: a date, `true` (ended), `false` (not announced).
pub(super) fn end_text(s: &status::Standing) -> String {
    match s.end {
        Some(crate::model::Milestone::Date(d)) => d.to_string(),
        Some(crate::model::Milestone::Passed) => "true".into(),
        Some(crate::model::Milestone::None) => "false".into(),
        None => "unknown".into(),
    }
}
