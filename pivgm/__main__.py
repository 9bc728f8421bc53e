from pivgm.cli import main

main()
