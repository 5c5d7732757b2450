//! `attune-sandbox`: the helper every native action, sensor and environment build is
//! started through. See `attune_runtime_native::sandbox`.

fn main() {
    attune_runtime_native::sandbox::helper::main()
}
