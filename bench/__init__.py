"""``make bench``: how pulumi-smi's own cost scales, beside the floors it cannot go below."""
