"""Login records (django-axes) are for the central administrators: a staff account holding model
permissions does not read or clear them, since they name every user's failed sign-ins."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
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

# The task queues' own admin pages (django-tasks-db's results, django-rq's dashboard) stay out: an
# import's progress and result are on its job page, which only its owner opens.
for app_label, model_name in [("django_tasks_database", "DBTaskResult"), ("django_rq", "Dashboard")]:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        continue
    if admin.site.is_registered(model):
        admin.site.unregister(model)
