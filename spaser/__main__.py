from spaser.cli import console

console()
