//! Loading packs from disk and registering them into a real store.

mod load;
mod register;
mod support;
