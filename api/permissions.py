from rest_framework import permissions


class IsOwnerOrReadOnly(permissions.BasePermission):
    """Anyone who may see an image may read it; only its owner changes it.
    (Images one may not see never get this far: they are not found.)"""

    message = "Only the image's owner can change or delete it."

    def has_object_permission(self, request, view, image):
        if request.method in permissions.SAFE_METHODS:
            return True
        return image.owner_id == request.user.pk
