from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Rewrite `import … from "./x.js"` in our JavaScript modules to the hashed names.
    support_js_module_import_aggregation = True
    # A missing file should fail collectstatic, not a page.
    manifest_strict = True
