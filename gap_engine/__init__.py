"""gap-engine: audit a jurisdiction's law for the gaps emerging technologies open in the
protection of children against sexual exploitation and abuse (Lanzarote Convention, CETS 201)."""

__version__ = "0.1.0"
