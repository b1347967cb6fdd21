//! Earlier widget versions, kept readable after a redeploy.
//!
//! Hosts cache tool descriptors, and with them template URIs. After a
//! redeploy a host may still ask for the previous `ui://…/name.<hash>.html`;
//! answering with that version (not a 404 and not new HTML that expects new
//! data) keeps old conversations rendering. Each version a server publishes
//! is written to `{data_dir}/widgets/{app}/{widget}/{hash}.html`; its mtime
//! is refreshed while it is current, and files older than the retention
//! window are deleted at start-up.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Most old versions kept per widget, whatever their age (bounds memory).
const MAX_VERSIONS: usize = 16;

/// Where old versions live and for how long.
#[derive(Debug, Clone)]
pub struct WidgetArchive {
    dir: PathBuf,
    retention: Duration,
}

/// An earlier version of a widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedVersion {
    /// Its content hash (the URI's version tag).
    pub hash: String,
    /// Its HTML.
    pub html: String,
}

impl WidgetArchive {
    /// An archive under `dir` (usually `{data_dir}/widgets`) keeping versions for `retention`.
    pub fn new(dir: impl Into<PathBuf>, retention: Duration) -> Self {
        Self {
            dir: dir.into(),
            retention,
        }
    }

    /// Records `html` as the current version of `app/widget` and returns the
    /// earlier versions still inside the retention window, newest first.
    /// Expired versions are deleted.
    pub fn sync(
        &self,
        app: &str,
        widget: &str,
        hash: &str,
        html: &str,
    ) -> std::io::Result<Vec<ArchivedVersion>> {
        let dir = self.dir.join(app).join(widget);
        std::fs::create_dir_all(&dir)?;
        let current = dir.join(format!("{hash}.html"));
        write_atomically(&current, html)?;
        let now = SystemTime::now();
        std::fs::File::options()
            .append(true)
            .open(&current)?
            .set_modified(now)?;

        let mut old = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let Some(other) = version_of(&path) else {
                continue;
            };
            if other == hash {
                continue;
            }
            let modified = std::fs::metadata(&path)?.modified()?;
            let age = now.duration_since(modified).unwrap_or_default();
            if age > self.retention {
                tracing::info!(
                    app,
                    widget,
                    version = other,
                    "widget version expired; deleting it"
                );
                std::fs::remove_file(&path)?;
            } else {
                old.push((modified, other.to_owned(), path));
            }
        }
        old.sort_by(|a, b| b.0.cmp(&a.0));
        old.into_iter()
            .take(MAX_VERSIONS)
            .map(|(_, hash, path)| {
                Ok(ArchivedVersion {
                    hash,
                    html: std::fs::read_to_string(path)?,
                })
            })
            .collect()
    }
}

/// `…/3f2a9c1b04de.html` → `3f2a9c1b04de`; other files are not versions.
fn version_of(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let hash = name.strip_suffix(".html")?;
    (hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hash)
}

/// Writes via a temporary file and rename, so a crash never leaves half a version.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|c| c == contents) {
        return Ok(());
    }
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "skyport-archive-{tag}-{}-{:?}",
            std::process::id(),
            SystemTime::now()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn earlier_versions_stay_readable_until_they_expire() {
        let dir = tempdir("keep");
        let archive = WidgetArchive::new(&dir, Duration::from_secs(3600));
        assert!(
            archive
                .sync("a", "w", "aaaaaaaaaaaa", "v1")
                .unwrap()
                .is_empty()
        );
        let old = archive.sync("a", "w", "bbbbbbbbbbbb", "v2").unwrap();
        assert_eq!(
            old,
            [ArchivedVersion {
                hash: "aaaaaaaaaaaa".into(),
                html: "v1".into()
            }]
        );
        // Back-date v1 past the window: the next start deletes it.
        let v1 = dir.join("a/w/aaaaaaaaaaaa.html");
        let past = SystemTime::now() - Duration::from_secs(7200);
        std::fs::File::options()
            .append(true)
            .open(&v1)
            .unwrap()
            .set_modified(past)
            .unwrap();
        assert!(
            archive
                .sync("a", "w", "bbbbbbbbbbbb", "v2")
                .unwrap()
                .is_empty()
        );
        assert!(!v1.exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
