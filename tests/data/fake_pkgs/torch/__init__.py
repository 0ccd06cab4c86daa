"""Stand-in for a broken PyTorch install: the import raises ImportError."""

raise ImportError("libtorch_cpu.so: cannot open shared object file: No such file or directory")
