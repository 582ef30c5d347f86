//! `lifecycle calendar`: valid iCalendar (parsed by an independent parser and checked line by line),
//! stable UIDs and bytes, every kind of deadline, written atomically with `-o`.

use std::collections::BTreeSet;

use crate::common::TestEnv;

const TODAY: &str = "2024-09-01";

/// RFC 5545's structure, strictly: CRLF everywhere, at most 75 octets a line, folded lines start
/// with a space, BEGIN/END nest, every VEVENT has exactly one UID, DTSTAMP, DTSTART and SUMMARY.
fn assert_structure(text: &str) {
    assert!(text.ends_with("\r\n"), "no final CRLF");
    assert!(!text.replace("\r\n", "").contains(['\r', '\n']), "a bare CR or LF");
    let mut stack: Vec<String> = Vec::new();
    let mut props: Vec<String> = Vec::new();
    let physical: Vec<&str> = text.split("\r\n").collect();
    let mut logical: Vec<String> = Vec::new();
    for line in &physical[..physical.len() - 1] {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        match line.strip_prefix(' ') {
            Some(rest) => logical.last_mut().expect("a continuation first").push_str(rest),
            None => logical.push(line.to_string()),
        }
    }
    for line in &logical {
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("no colon: {line:?}"));
        let name = name.split(';').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "bad property name {name:?}"
        );
        match name {
            "BEGIN" => {
                stack.push(value.to_string());
                props.clear();
            }
            "END" => {
                assert_eq!(stack.pop().as_deref(), Some(value), "END:{value} does not close");
                if value == "VEVENT" {
                    for required in ["UID", "DTSTAMP", "DTSTART", "SUMMARY"] {
                        let n = props.iter().filter(|p| *p == required).count();
                        assert_eq!(n, 1, "{required} {n} times in an event");
                    }
                }
            }
            _ => props.push(name.to_string()),
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert_eq!(logical.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
}

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none(), "more than one calendar");
    cal
}

fn prop<'a>(e: &'a ical::parser::ical::component::IcalEvent, name: &str) -> Option<&'a str> {
    e.properties.iter().find(|p| p.name == name).and_then(|p| p.value.as_deref())
}

fn with_planned_change() -> TestEnv {
    let env = TestEnv::with_example();
    env.write(
        "changes/CHG-2024-003/request.yaml",
        "id: CHG-2024-003\ntitle: \"Redis 6.2.14 升级至 7.2.0, gray; then production\"\nclass: replacement\n\
         requested_by: li.ming\nrequested_at: 2024-09-05T10:00:00+08:00\n\
         targets: [{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}]\n\
         plan: {gray_at: 2024-09-17T20:00:00+08:00, production_at: 2024-09-19T22:00:00+08:00, executor: liu.yang, supervisor: zhang.wei}\n",
    );
    env
}

/// The example organisation's calendar parses, has every kind of event with unique UIDs, escapes
/// TEXT and gives planned releases in UTC.
#[test]
fn calendar_parses() {
    let env = with_planned_change();
    let out = env.run(&["--today", TODAY, "calendar"]);
    out.assert_status(0);
    assert_structure(&out.stdout);
    let cal = parse(&out.stdout);
    assert!(cal.events.len() > 100, "{} events", cal.events.len());
    let uids: BTreeSet<&str> = cal.events.iter().map(|e| prop(e, "UID").unwrap()).collect();
    assert_eq!(uids.len(), cal.events.len(), "UIDs are not unique");
    let summaries: Vec<&str> = cal.events.iter().map(|e| prop(e, "SUMMARY").unwrap()).collect();
    for wanted in [
        "End of support: redis-session/redis (redis 6.2)",
        "Deadline to finish replacing redis-session/redis (redis 6.2)",
        "Deadline to start replacing redis-session/redis (redis 6.2)",
    ] {
        assert!(summaries.contains(&wanted), "no {wanted:?}");
    }
    let gray = cal
        .events
        .iter()
        .find(|e| prop(e, "SUMMARY").is_some_and(|s| s.starts_with("Gray release")))
        .unwrap();
    assert_eq!(prop(gray, "DTSTART"), Some("20240917T120000Z"));
    // The title's comma and semicolon are escaped.
    assert_eq!(
        prop(gray, "SUMMARY"),
        Some("Gray release: CHG-2024-003 Redis 6.2.14 升级至 7.2.0\\, gray\\; then production")
    );
    assert!(
        cal.events
            .iter()
            .any(|e| prop(e, "SUMMARY").unwrap().starts_with("Production release: CHG-2024-003"))
    );
    let end = cal
        .events
        .iter()
        .find(|e| prop(e, "SUMMARY") == Some("End of support: redis-session/redis (redis 6.2)"))
        .unwrap();
    assert_eq!(prop(end, "DTSTART"), Some("20241231"));
    assert_eq!(prop(end, "DTEND"), Some("20250101"));
    assert_eq!(prop(end, "DTSTAMP"), Some("20240901T000000Z"));
}

/// The same repository and `--today` give the same bytes, whatever the clock says; UIDs stay when
/// `--today` moves; `-o` writes exactly what stdout would show.
#[test]
fn calendar_is_stable() {
    let env = with_planned_change();
    let a = env.run(&["--today", TODAY, "calendar"]);
    let b = env.run_env(&["calendar"], &[("LIFECYCLE_TODAY", TODAY)]);
    assert_eq!(a.stdout, b.stdout);
    let later = env.run(&["--today", "2025-01-01", "calendar"]);
    let uids = |t: &str| {
        parse(t).events.iter().map(|e| prop(e, "UID").unwrap().to_string()).collect::<BTreeSet<_>>()
    };
    let (before, after) = (uids(&a.stdout), uids(&later.stdout));
    assert!(before.is_subset(&after), "an event's UID changed when --today moved");
    // What is new is only what was not known yet: the advisory detected on 2024-10-03.
    let later_cal = parse(&later.stdout);
    for e in later_cal.events.iter().filter(|e| !before.contains(prop(e, "UID").unwrap())) {
        let summary = prop(e, "SUMMARY").unwrap();
        assert!(summary.contains("CVE-2024-31449/"), "new event {summary:?}");
    }
    let w = env.run(&["--today", TODAY, "calendar", "-o", "out/deadlines.ics"]);
    w.assert_status(0);
    assert!(w.stdout.starts_with("wrote "), "{}", w.snapshot());
    assert_eq!(env.read("out/deadlines.ics"), a.stdout);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(env.path("out")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

/// The calendar in Chinese: summaries and the calendar name.
#[test]
fn calendar_in_chinese_parses() {
    let env = with_planned_change();
    let out = env.run(&["--today", TODAY, "--lang", "zh-CN", "calendar"]);
    out.assert_status(0);
    assert_structure(&out.stdout);
    let cal = parse(&out.stdout);
    assert!(
        cal.events.iter().any(|e| prop(e, "SUMMARY") == Some("停止支持：redis-session/redis（redis 6.2）"))
    );
    assert!(out.stdout.contains("X-WR-CALNAME:生命周期期限"));
}

/// A broken repository gets its diagnostics and exit 2, and nothing is written.
#[test]
fn calendar_refuses_a_broken_repository() {
    let env = TestEnv::with_fixture("broken");
    let out = env.run(&["--today", TODAY, "calendar", "-o", "x.ics"]);
    out.assert_status(2);
    assert!(!env.path("x.ics").exists());
}

/// An approved exception's expiry is an event, tagged with its change.
#[test]
fn calendar_has_exception_expiry_and_covering_changes() {
    let org = crate::common::Org::new();
    let requested = "2024-09-05T09:30:00+08:00";
    org.as_person("li.ming");
    org.lc(
        requested,
        &[
            "change",
            "new",
            "--id",
            "CHG-2024-010",
            "--class",
            "exception",
            "--target",
            "redis-session/centos=7.9.2009",
            "--until",
            "2024-12-31",
            "-q",
        ],
    )
    .assert_status(0);
    org.commit(requested, "CHG-2024-010: request");
    for (who, date) in [("zhang.wei", "2024-09-06T10:00:00+08:00"), ("chen", "2024-09-07T10:00:00+08:00")] {
        org.as_person(who);
        org.lc(date, &["approve", "CHG-2024-010", "-m", "接受风险"]).assert_status(0);
    }
    let out = org.lc("2024-09-10T10:00:00+08:00", &["calendar"]);
    out.assert_status(0);
    assert_structure(&out.stdout);
    let cal = parse(&out.stdout);
    let expiry = cal
        .events
        .iter()
        .find(|e| {
            prop(e, "SUMMARY").is_some_and(|s| s.starts_with("Risk acceptance ends: redis-session/centos"))
        })
        .unwrap_or_else(|| panic!("no exception expiry in\n{}", out.stdout));
    assert_eq!(prop(expiry, "DTSTART"), Some("20241231"));
    assert!(prop(expiry, "CATEGORIES").unwrap().contains("CHG-2024-010"));
}

/// Every advisory on every component it affects gets its response and deployment deadlines, at the
/// instant the policy's class gives (CVE-2024-31449: high → important-security, 24 h / 72 h).
#[test]
fn calendar_has_advisory_deadlines() {
    let env = TestEnv::with_example();
    let out = env.run(&["--today", "2024-10-05", "calendar"]);
    out.assert_status(0);
    let cal = parse(&out.stdout);
    let find = |summary: &str| {
        cal.events
            .iter()
            .find(|e| prop(e, "SUMMARY") == Some(summary))
            .unwrap_or_else(|| panic!("no {summary:?}"))
    };
    let respond = find("Deadline to respond: CVE-2024-31449/redis-session/redis (redis 6.2.14)");
    let deploy = find("Deadline to deploy the fix: CVE-2024-31449/redis-session/redis (redis 6.2.14)");
    assert_eq!(prop(respond, "CATEGORIES"), Some("lifecycle,respond-by"));
    assert!(prop(deploy, "DESCRIPTION").unwrap().starts_with("Advisory CVE-2024-31449: high\\, class "));
    let start = |e| prop(e, "DTSTART").unwrap().to_string();
    assert!(start(respond) < start(deploy), "respond by before deploy by");
    // Five Redis instances are affected: one pair of events each.
    let deploys = cal
        .events
        .iter()
        .filter(|e| {
            prop(e, "SUMMARY").is_some_and(|s| s.starts_with("Deadline to deploy the fix: CVE-2024-31449/"))
        })
        .count();
    assert_eq!(deploys, 5);
}
