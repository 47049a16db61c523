"""The request pages: intake at the desk, lists, a request's page and its actions, the fragments
other apps load by htmx (desk session hub, resident page) and the public status page.

Views parse and render; reads are in selectors/, actions in services/.
"""
