// The rounds list decodes 10,000 small JSON documents: mimalloc's per-thread free lists make
// that a third cheaper than the system allocator (benches/rounds.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    spinewatch::cli::main()
}
