//! The domain crate's build script (`host/domain/build.rs`), run for this crate too: its
//! schema derives name the same aliases.

#[path = "../domain/build.rs"]
mod domain;

fn main() {
    domain::main();
}
