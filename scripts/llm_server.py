"""The offline model's server: llama.cpp's own OpenAI-compatible server, embedded in the prebuilt
`xllamacpp` wheel (no compiler needed). Started by scripts/local-llm.sh; serves until SIGTERM or
SIGINT. The wheel ships no command-line program, hence this file."""
import argparse
import signal
import sys

import xllamacpp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="the GGUF file")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ctx", type=int, default=16384, help="context tokens in all, shared by the slots")
    parser.add_argument("--parallel", type=int, default=4, help="slots: requests served at once")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache-ram-mib", type=int, default=256,
                        help="host memory for prompts moved out of a slot, restored when they come back")
    args = parser.parse_args()

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.use_jinja = True  # the GGUF's own chat template renders tools and tool results
    params.cache_prompt = True
    params.cache_ram_mib = args.cache_ram_mib
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.port = args.port
    params.hostnames = ["127.0.0.1"]
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = xllamacpp.Server(params)
    print(f"listening on {server.listening_address}", file=sys.stderr, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    del server


if __name__ == "__main__":
    main()
