"""Login records (django-axes) are for the central administrators: a staff account holding model
permissions does not read or clear them, since they name every user's failed sign-ins."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from associations.admin_access import CentralOnlyAdminMixin

for model, base in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (CentralOnlyAdminMixin, base), {}))
