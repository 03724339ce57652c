//! CLI subcommands.
