from techmarket.cli import main

raise SystemExit(main())
