from mestring.core.testing.matrix import Route

ROUTES: list[Route] = []
