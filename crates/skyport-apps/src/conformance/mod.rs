//! The fixtures of the official MCP conformance suite (shared/tools/conformance/FIXTURE.md).

use skyport::App;
use skyport::engine::AppError;

/// Builds the conformance app.
pub fn app() -> Result<App, AppError> {
    App::builder("conformance").build()
}
