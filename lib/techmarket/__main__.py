from techmarket.cli.main import main

raise SystemExit(main())
