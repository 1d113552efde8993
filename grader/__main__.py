from .cli import main

# guarded: the process pool's spawned workers import this module without running the CLI
if __name__ == "__main__":
    raise SystemExit(main())
