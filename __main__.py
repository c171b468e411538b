"""The entry point of this folder as a Pulumi plugin (``PulumiPlugin.yaml``).

``pulumi package add`` and the engine start the plugin through the Python language host,
which runs ``python <this folder> <engine address> ...``: this file. It hosts the
multi-language components and nothing else (never the ``pulumi-smi`` command line, whose
argument parser would reject the host's arguments).
"""

from pulumi_smi.multilang.host import main

if __name__ == "__main__":
    main()
