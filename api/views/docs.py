from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the drf-spectacular-sidecar static files, with its
    start-up script in a separate request: no inline script or style."""

    template_name = "api/swagger_ui.html"
    title = "imagerepo API"
