"""Analyses: frames in, frames or frozen results out; never opens the store, never builds figures."""
