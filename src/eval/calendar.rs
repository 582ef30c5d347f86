//! Every dated deadline as a list of calendar events: end-of-life dates with their plan_by/finish_by,
//! exception expiry, and the planned gray/production windows of change requests. Pure: the command
//! gathers events from each source into one list, so a new source (advisory respond_by/deploy_by)
//! is one more `events.extend(...)`; `render::calendar` turns the list into iCalendar.

use chrono::{DateTime, FixedOffset, NaiveDate};
use sha2::{Digest, Sha256};

use super::status::Item;
use crate::model::Repository;

/// What an event marks. The order is the order of events on the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// The component's end of support.
    End,
    /// A replacement must be finished by this day.
    FinishBy,
    /// A replacement must be started (approved) by this day.
    PlanBy,
    /// An approved exception stops accepting the risk.
    ExceptionEnds,
    /// An advisory must be responded to (§5.3).
    RespondBy,
    /// An advisory's fix must be deployed (§5.3).
    DeployBy,
    /// A change's planned gray release.
    Gray,
    /// A change's planned production release.
    Production,
}

impl EventKind {
    /// Stable name: part of the UID and the i18n key (`calendar.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::End => "end",
            EventKind::FinishBy => "finish_by",
            EventKind::PlanBy => "plan_by",
            EventKind::ExceptionEnds => "exception_ends",
            EventKind::RespondBy => "respond_by",
            EventKind::DeployBy => "deploy_by",
            EventKind::Gray => "gray",
            EventKind::Production => "production",
        }
    }
}

/// When: a whole day (deadlines on dates) or an instant (planned releases, advisory deadlines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(NaiveDate),
    At(DateTime<FixedOffset>),
}

impl When {
    fn sort_key(&self) -> (NaiveDate, i64) {
        match self {
            When::Day(d) => (*d, i64::MIN),
            When::At(t) => (t.naive_utc().date(), t.timestamp()),
        }
    }
}

/// One calendar event. `subject` names what it is about (`system/component`, a change id, an
/// advisory id and its component); `key` makes it unique among events of its kind and subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub when: When,
    pub subject: String,
    /// What the summary line names after the subject: product and cycle, a change's title…
    pub about: String,
    /// Lines of detail for the description, already in the reader's language.
    pub details: Vec<String>,
    /// The change this event belongs to, when there is one.
    pub change: Option<String>,
}

impl Event {
    /// A UID derived from what the event is (kind and subject), never from the clock or randomness,
    /// so that every export names the same event the same way and a moved date updates it.
    pub fn uid(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.kind.as_str().as_bytes());
        h.update([0]);
        h.update(self.subject.as_bytes());
        let digest = h.finalize();
        format!("{}@lifecycle", hex::encode(&digest[..16]))
    }
}

/// The deadlines of end of life: end, finish_by and plan_by of every component with an end date,
/// and the expiry of the exception covering it. `describe` gives each item's detail lines.
pub fn lifecycle_events(items: &[Item], describe: &dyn Fn(&Item) -> Vec<String>) -> Vec<Event> {
    let mut events = Vec::new();
    for item in items {
        let subject = format!("{}/{}", item.system.id, item.component.name);
        let about = match &item.cycle {
            Some(cycle) => format!("{} {cycle}", item.component.product),
            None => format!("{} {}", item.component.product, item.component.version),
        };
        let mut add = |kind, date: Option<NaiveDate>, change: Option<&String>| {
            if let Some(date) = date {
                events.push(Event {
                    kind,
                    when: When::Day(date),
                    subject: subject.clone(),
                    about: about.clone(),
                    details: describe(item),
                    change: change.cloned(),
                });
            }
        };
        add(EventKind::End, item.end, item.change.as_ref());
        add(EventKind::FinishBy, item.finish_by, item.change.as_ref());
        add(EventKind::PlanBy, item.plan_by, item.change.as_ref());
        if let Some(e) = &item.exception {
            add(EventKind::ExceptionEnds, Some(e.until), Some(&e.change));
        }
    }
    events
}

/// The planned gray and production releases of every change request that plans them.
pub fn change_events(
    repo: &Repository,
    describe: &dyn Fn(&crate::model::ChangeRequest) -> Vec<String>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for change in &repo.changes {
        let Some(plan) = &change.plan else { continue };
        for (kind, at) in [(EventKind::Gray, plan.gray_at), (EventKind::Production, plan.production_at)] {
            if let Some(at) = at {
                events.push(Event {
                    kind,
                    when: When::At(at),
                    subject: change.id.clone(),
                    about: change.title.clone(),
                    details: describe(change),
                    change: Some(change.id.clone()),
                });
            }
        }
    }
    events
}

/// The response and deployment deadlines of every advisory on every component it affects (or
/// affected: a resolved one keeps its events, so the calendar shows what was due when).
pub fn advisory_events(
    items: &[crate::eval::advisories::SecurityItem],
    describe: &dyn Fn(&crate::eval::advisories::SecurityItem) -> Vec<String>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for item in items.iter().filter(|i| i.affected || i.resolved_at.is_some()) {
        let subject = format!("{}/{}/{}", item.advisory, item.system, item.component);
        let about = format!("{} {}", item.product, item.version);
        for (kind, at) in [(EventKind::RespondBy, item.respond_by), (EventKind::DeployBy, item.deploy_by)] {
            if let Some(at) = at {
                events.push(Event {
                    kind,
                    when: When::At(at),
                    subject: subject.clone(),
                    about: about.clone(),
                    details: describe(item),
                    change: item.change.clone(),
                });
            }
        }
    }
    events
}

/// Sorts events by time, then kind, then subject: the calendar's order is part of its stability.
pub fn sort(events: &mut [Event]) {
    events.sort_by(|a, b| {
        (a.when.sort_key(), a.kind, &a.subject).cmp(&(b.when.sort_key(), b.kind, &b.subject))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, subject: &str, day: &str) -> Event {
        Event {
            kind,
            when: When::Day(day.parse().unwrap()),
            subject: subject.into(),
            about: String::new(),
            details: vec![],
            change: None,
        }
    }

    #[test]
    fn uids_depend_on_what_not_when() {
        let a = event(EventKind::PlanBy, "redis-session/redis", "2024-06-30");
        let moved = event(EventKind::PlanBy, "redis-session/redis", "2024-07-31");
        let other = event(EventKind::FinishBy, "redis-session/redis", "2024-06-30");
        assert_eq!(a.uid(), moved.uid());
        assert_ne!(a.uid(), other.uid());
        assert!(a.uid().ends_with("@lifecycle") && a.uid().len() == 32 + "@lifecycle".len());
    }

    #[test]
    fn sorted_by_day_then_kind() {
        let mut v = vec![
            event(EventKind::PlanBy, "b", "2024-01-02"),
            event(EventKind::PlanBy, "a", "2024-01-02"),
            event(EventKind::End, "z", "2024-01-02"),
            event(EventKind::End, "z", "2024-01-01"),
        ];
        sort(&mut v);
        let order: Vec<_> = v.iter().map(|e| (e.subject.as_str(), e.kind)).collect();
        assert_eq!(
            order,
            [
                ("z", EventKind::End),
                ("z", EventKind::End),
                ("a", EventKind::PlanBy),
                ("b", EventKind::PlanBy)
            ]
        );
    }
}
