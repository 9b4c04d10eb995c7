import os

from django.core.wsgi import get_wsgi_application

from frontdoor.core.startup import refuse_to_start_unless_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
application = get_wsgi_application()
# A web server that takes uploads does not start without a virus scanner (or VIRUS_SCAN=off).
refuse_to_start_unless_ready()
