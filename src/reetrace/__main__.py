from reetrace.cli import main

main()
