//! OpenPGP sign-offs (SPEC §3.4, §4.2): an armored key in people.yaml, git configured for gpg.

use super::*;

/// chen's OpenPGP key in a GNUPGHOME of the test; dropping it stops the gpg-agent gpg started there.
struct Chen<'a> {
    org: &'a Org,
    gnupghome: String,
    fingerprint: String,
}

impl Drop for Chen<'_> {
    fn drop(&mut self) {
        let _ =
            self.org.program_output("gpgconf", &["--kill", "gpg-agent"], &[("GNUPGHOME", &self.gnupghome)]);
    }
}

impl Chen<'_> {
    fn env(&self) -> [(&str, &str); 1] {
        [("GNUPGHOME", self.gnupghome.as_str())]
    }
}

/// Generates chen's OpenPGP key, puts it (armored) in people.yaml instead of his SSH key, commits, and
/// configures git to sign as chen with it (`gpg.format openpgp`, `user.signingKey <fingerprint>`).
/// None, with a note, when gpg is not installed.
fn chen_signs_with_openpgp(org: &Org) -> Option<Chen<'_>> {
    if org.command("gpg").arg("--version").output().map_or(true, |o| !o.status.success()) {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("note: gpg is not installed; skipping an OpenPGP test");
        }
        return None;
    }
    let home = org.path("home/gnupg");
    std::fs::create_dir_all(&home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let mut chen = Chen { org, gnupghome: home.display().to_string(), fingerprint: String::new() };
    let gpg = |args: &[&str]| {
        let out = org.program_output("gpg", args, &chen.env());
        assert_eq!(out.status, 0, "gpg {args:?} failed:\n{}", out.snapshot());
        out.stdout
    };
    let quick_gen = ["--quick-gen-key", "Chen <chen@example.com>", "ed25519", "sign", "never"];
    gpg(&[&["--batch", "--passphrase", ""][..], &quick_gen[..]].concat());
    let listing = gpg(&["--batch", "--with-colons", "--list-keys", "chen@example.com"]);
    let fingerprint = listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:").map(|r| r.trim_matches(':').to_string()))
        .expect("a fingerprint");
    let armored = gpg(&["--batch", "--armor", "--export", &fingerprint]);

    let mut people = org.people();
    people.iter_mut().find(|p| p.id == "chen").unwrap().keys = vec![armored.trim().to_string()];
    org.write_people(&people);
    org.as_person("li.ming");
    org.commit("2024-09-10T09:00:00+08:00", "chen signs with OpenPGP");

    org.as_person("chen");
    org.git(&["config", "gpg.format", "openpgp"]);
    org.git(&["config", "user.signingKey", &fingerprint]);
    chen.fingerprint = fingerprint;
    Some(chen)
}

/// The CTO signs with an OpenPGP key: the statement carries a detached PGP signature that `change
/// show` verifies without the signer's keyring (and rejects once the statement is edited), `gpg
/// --verify` accepts over the SPEC payload, and `git verify-commit` accepts the commit.
#[test]
fn an_openpgp_key_signs_the_cto_stage() {
    let org = requested();
    approve_stages(&org, 4);
    let Some(chen) = chen_signs_with_openpgp(&org) else { return };
    let (_, date, comment) = SIGNERS[4];
    let out = org.lc_env(date, &["approve", CHG, "-m", comment], &chen.env());
    out.assert_status(0);
    assert!(out.stdout.contains(&format!("{CHG} is approved.")), "{}", out.snapshot());

    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "approved");
    let s = signoff(&doc, "05-cto.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"valid".into()), "{doc:#}");
    assert_eq!(s["key"], chen.fingerprint.to_uppercase());

    let rel = format!("{APPROVALS}/05-cto.yaml");
    let (st, signature) = Statement::read(&org, &rel);
    assert!(signature.starts_with("-----BEGIN PGP SIGNATURE-----"), "{signature}");
    org.write("home/payload", st.payload());
    org.write("home/payload.asc", &signature);
    let payload = org.path("home/payload").display().to_string();
    let sig = org.path("home/payload.asc").display().to_string();
    let v = org.program_output("gpg", &["--batch", "--verify", &sig, &payload], &chen.env());
    assert_eq!(v.status, 0, "gpg rejects the statement:\n{}", v.snapshot());
    assert!(v.stderr.contains("Good signature from \"Chen <chen@example.com>\""), "{}", v.snapshot());

    let c = org.program_output("git", &["verify-commit", "HEAD"], &chen.env());
    assert_eq!(c.status, 0, "git verify-commit rejects the commit:\n{}", c.snapshot());
    assert!(c.stderr.contains("Good signature from \"Chen <chen@example.com>\""), "{}", c.snapshot());

    org.edit(&rel, "comment: \"正式批准执行\"", "comment: \"正式批准执行，附条件\"");
    org.commit("2024-09-10T16:00:00+08:00", "edit the CTO's comment");
    let doc = show(&org, CHG);
    let s = signoff(&doc, "05-cto.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"invalid".into(), &"bad-signature".into()), "{doc:#}");
    assert_eq!(doc["state"], "in-review");
}

/// Verifying an OpenPGP statement uses a throwaway keyring (src/sign/pgp.rs) that is thrown away: a
/// `change show` leaves nothing behind in the temporary folder.
#[test]
fn openpgp_verification_leaves_no_keyring_behind() {
    let org = requested();
    approve_stages(&org, 4);
    let Some(chen) = chen_signs_with_openpgp(&org) else { return };
    let (_, date, comment) = SIGNERS[4];
    org.lc_env(date, &["approve", CHG, "-m", comment], &chen.env()).assert_status(0);
    std::fs::create_dir_all(org.path("home/tmp-show")).unwrap();
    let tmp = org.path("home/tmp-show").display().to_string();
    let out = org.lc_env(LATER, &["change", "show", CHG, "--format", "json"], &[("TMPDIR", &tmp)]);
    out.assert_status(0);
    assert_eq!(signoff(&out.json(), "05-cto.yaml")["signature"], "verified");
    assert_eq!(files_in(&org, "home/tmp-show"), Vec::<String>::new(), "left behind in TMPDIR");
}
