//! Signing with the user's own git signing configuration (`gpg.format`, `user.signingKey`,
//! `gpg.ssh.program`, `gpg.program`), through the same programs git runs.

use crate::i18n::Lang;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, bail};

use super::PublicKey;

/// Something that signs: production uses [`GitSigner`]; tests may use throwaway keys the same way.
pub trait Signer {
    /// The public key whose private half signs.
    fn public_key(&self) -> &PublicKey;
    /// A detached, armored signature over `data` (SSH signatures carry `namespace`).
    fn sign(&self, data: &[u8], namespace: &str) -> Result<String>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Format {
    Ssh,
    OpenPgp,
}

/// The signer git itself would use for `git commit -S` in this repository.
pub struct GitSigner {
    format: Format,
    /// `-f` argument for ssh-keygen (a key file) or `-u` argument for gpg.
    key: String,
    /// The key was given literally (`key::ssh-…`) and lives in ssh-agent.
    literal: bool,
    program: String,
    public: PublicKey,
    _literal_file: Option<tempfile::NamedTempFile>,
}

const HOW_TO: &str = "configure git signing, e.g. for SSH:\n      git config gpg.format ssh\n      git config user.signingKey ~/.ssh/id_ed25519.pub\n    or for OpenPGP: git config user.signingKey <KEYID>";

fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(rest)).unwrap_or_else(|| path.into())
        }
        None => PathBuf::from(path),
    }
}

impl GitSigner {
    /// The signer git's configuration names; refusals in `lang`.
    pub fn from_repo(repo: &git2::Repository, lang: Lang) -> Result<GitSigner> {
        let how_to = lang.t("signer.how_to");
        let config = crate::git::Config::read(repo)?;
        let get = |k: &str| config.get(k);
        let committer = |var: &str, key: &str| {
            std::env::var(format!("GIT_COMMITTER_{var}")).ok().filter(|v| !v.is_empty()).or_else(|| get(key))
        };
        let format = match get("gpg.format").as_deref() {
            None | Some("openpgp") => Format::OpenPgp,
            Some("ssh") => Format::Ssh,
            Some(other) => {
                bail!("{}", lang.fmt("signer.bad_format", &[("format", &other), ("how_to", &how_to)]))
            }
        };
        match format {
            Format::Ssh => {
                let spec = get("user.signingkey")
                    .ok_or_else(|| anyhow!("{}", lang.fmt("signer.no_key", &[("how_to", &how_to)])))?;
                let program = get("gpg.ssh.program").unwrap_or_else(|| "ssh-keygen".into());
                let literal_text = spec.strip_prefix("key::").map(str::to_string).or_else(|| {
                    (spec.starts_with("ssh-") || spec.starts_with("ecdsa-") || spec.starts_with("sk-"))
                        .then(|| spec.clone())
                });
                if let Some(text) = literal_text {
                    let public = PublicKey::parse(&text).map_err(|e| anyhow!("user.signingKey: {e}"))?;
                    let file = tempfile::NamedTempFile::new()?;
                    std::fs::write(file.path(), format!("{}\n", text.trim()))?;
                    return Ok(GitSigner {
                        format,
                        key: file.path().display().to_string(),
                        literal: true,
                        program,
                        public,
                        _literal_file: Some(file),
                    });
                }
                let path = expand_home(&spec);
                let public = ssh_public_key(lang, &program, &path)?;
                Ok(GitSigner {
                    format,
                    key: path.display().to_string(),
                    literal: false,
                    program,
                    public,
                    _literal_file: None,
                })
            }
            Format::OpenPgp => {
                let program =
                    get("gpg.openpgp.program").or_else(|| get("gpg.program")).unwrap_or_else(|| "gpg".into());
                let key = match get("user.signingkey") {
                    Some(k) => k,
                    // git signs as the committer identity when no key is named.
                    None => match (committer("NAME", "user.name"), committer("EMAIL", "user.email")) {
                        (name, Some(email)) => format!("{} <{email}>", name.unwrap_or_default()),
                        _ => bail!("{}", lang.fmt("signer.no_identity", &[("how_to", &how_to)])),
                    },
                };
                let public = pgp_public_key(lang, &program, &key)?;
                Ok(GitSigner { format, key, literal: false, program, public, _literal_file: None })
            }
        }
    }
}

/// The public half of an SSH signing key given as a path (private or `.pub`).
fn ssh_public_key(lang: Lang, program: &str, path: &Path) -> Result<PublicKey> {
    let text = if path.extension().is_some_and(|e| e == "pub") {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read user.signingKey {}", path.display()))?
    } else if let Ok(text) = std::fs::read_to_string(format!("{}.pub", path.display())) {
        text
    } else {
        let out = Command::new(program)
            .arg("-y")
            .arg("-f")
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {program}"))?;
        if !out.status.success() {
            let args: [(&str, &dyn std::fmt::Display); 3] = [
                ("path", &path.display()),
                ("error", &String::from_utf8_lossy(&out.stderr).trim().to_string()),
                ("how_to", &lang.t("signer.how_to")),
            ];
            bail!("{}", lang.fmt("signer.unreadable", &args));
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    PublicKey::parse(text.lines().next().unwrap_or(""))
        .map_err(|e| anyhow!("user.signingKey {}: {e}", path.display()))
}

/// The primary key of an OpenPGP signing key, exported armored.
fn pgp_public_key(lang: Lang, program: &str, key: &str) -> Result<PublicKey> {
    let out = Command::new(program)
        .args(["--batch", "--armor", "--export", key])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {program}; is gnupg installed?"))?;
    let armored = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() || armored.trim().is_empty() {
        bail!("{}", lang.fmt("signer.no_gpg_key", &[("key", &key), ("how_to", &lang.t("signer.how_to"))]));
    }
    PublicKey::parse(&armored).map_err(|e| anyhow!("the OpenPGP key `{key}`: {e}"))
}

impl Signer for GitSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, data: &[u8], namespace: &str) -> Result<String> {
        match self.format {
            Format::Ssh => {
                let dir = tempfile::tempdir()?;
                let buffer = dir.path().join("payload");
                std::fs::write(&buffer, data)?;
                let mut cmd = Command::new(&self.program);
                cmd.arg("-Y").arg("sign").arg("-n").arg(namespace).arg("-f").arg(&self.key);
                if self.literal {
                    cmd.arg("-U");
                }
                let out = cmd
                    .arg(&buffer)
                    .stdin(Stdio::null())
                    .output()
                    .with_context(|| format!("cannot run {}", self.program))?;
                if !out.status.success() {
                    bail!(
                        "{} could not sign: {}\n  = hint: is the key loaded in ssh-agent (`ssh-add`)? {HOW_TO}",
                        self.program,
                        String::from_utf8_lossy(&out.stderr).trim()
                    );
                }
                std::fs::read_to_string(dir.path().join("payload.sig"))
                    .context("ssh-keygen wrote no signature")
            }
            Format::OpenPgp => {
                let mut child = Command::new(&self.program)
                    .args(["--status-fd=2", "-bsau", &self.key])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .with_context(|| format!("cannot run {}", self.program))?;
                if let Some(mut stdin) = child.stdin.take() {
                    std::io::Write::write_all(&mut stdin, data)?;
                }
                let out = child.wait_with_output()?;
                let status = String::from_utf8_lossy(&out.stderr);
                if !out.status.success() || !status.contains("SIG_CREATED") {
                    bail!("gpg could not sign: {}\n  = hint: {HOW_TO}", status.trim());
                }
                Ok(String::from_utf8_lossy(&out.stdout).into_owned())
            }
        }
    }
}
