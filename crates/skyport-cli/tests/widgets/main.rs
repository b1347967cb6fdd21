//! The apps layer on the real binary: widget pages, publishing to both
//! host families, versions, export, the dev host's API, REST tools and
//! `skyport doctor`.
//!
//! One test binary per area (one link instead of one per file); each
//! module is one file of tests.

#[path = "../common/mod.rs"]
mod common;

mod devhost_api;
mod doctor;
mod doctor_fixtures;
mod export_widgets;
mod rest_tools;
mod widget_pages;
mod widget_publishing;
mod widget_versions;
