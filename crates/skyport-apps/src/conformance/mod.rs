//! The fixtures of the official MCP conformance suite (shared/tools/conformance/FIXTURE.md):
//! the tools, resources, templates and prompts its server scenarios call by name.

pub mod elicit;
pub mod fixtures;
pub mod prompts;
pub mod resources;
pub mod tools;

use skyport::App;
use skyport::engine::AppError;

/// Builds the conformance app.
pub fn app() -> Result<App, AppError> {
    let mut b = App::builder("conformance")
        .instructions("Fixtures of the MCP conformance suite: test tools, resources and prompts.");
    for t in tools::tools() {
        b = b.tool(t);
    }
    for r in resources::resources() {
        b = b.resource(r);
    }
    for t in resources::templates()? {
        b = b.template(t);
    }
    for p in prompts::prompts() {
        b = b.prompt(p);
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_every_fixture() {
        let app = app().unwrap();
        let names = app.tool_names();
        for n in [
            "test_simple_text",
            "test_sampling",
            "json_schema_2020_12_tool",
            "test_reconnection",
        ] {
            assert!(names.iter().any(|x| x == n), "{n}");
        }
    }
}
