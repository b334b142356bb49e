from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the drf-spectacular-sidecar static files, with its
    start-up script in a separate request: no inline script or style."""

    template_name = "api/swagger_ui.html"
    title = "imagerepo API"
    # A page to read: DRF's OPTIONS answer is data its HTML renderer has no
    # template for (a 500).
    http_method_names = ["get", "head"]
