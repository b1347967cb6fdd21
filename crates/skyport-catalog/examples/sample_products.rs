//! Prints a sample of the generated catalog as JSON lines.
//!
//! Run: `cargo run -p skyport-catalog --example sample_products -- 20`

use skyport_catalog::Catalog;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let catalog = Catalog::build().expect("catalog builds");
    let step = (catalog.len() / n.max(1)).max(1);
    for p in catalog.products().iter().step_by(step).take(n) {
        println!("{}", serde_json::to_string(p).expect("products serialize"));
    }
}
