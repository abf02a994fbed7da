from oms.cli import app

app()
