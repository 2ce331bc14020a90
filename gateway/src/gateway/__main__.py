"""Run the gateway: ``python -m gateway``."""

from gateway.server import main

main()
