package shared

// accented maps each lower-case letter below U+3000 whose canonical
// decomposition (Unicode NFD) is a letter and nonspacing marks to that
// letter: "é" (U+00E9) to "e", "ệ" to "e", "ά" to "α", "й" to "и". fold
// maps a letter so and drops nonspacing marks, so the composed "é" and the
// decomposed "e\u0301" (how macOS names files, and what a paste from them
// brings) fold alike, and a search passes over accents as a browser's
// find in page does.
//
// The pairs, letter then base, were listed with golang.org/x/text's
// norm.NFD over U+0080–U+2FFF (Unicode 15): a table here costs 2 KB of
// the client, the norm package's tables several times its budget's room.
var accented = func() map[rune]rune {
	m := make(map[rune]rune, 448)
	pairs := []rune("" +
		"àaáaâaãaäaåaçcèeéeêeëeìiíiîiïiñn" +
		"òoóoôoõoöoùuúuûuüuýyÿyāaăaąaćcĉc" +
		"ċcčcďdēeĕeėeęeěeĝgğgġgģgĥhĩiīiĭi" +
		"įiĵjķkĺlļlľlńnņnňnōoŏoőoŕrŗrřrśs" +
		"ŝsşsšsţtťtũuūuŭuůuűuųuŵwŷyźzżzžz" +
		"ơoưuǎaǐiǒoǔuǖuǘuǚuǜuǟaǡaǣæǧgǩkǫo" +
		"ǭoǯʒǰjǵgǹnǻaǽæǿøȁaȃaȅeȇeȉiȋiȍoȏo" +
		"ȑrȓrȕuȗușsțtȟhȧaȩeȫoȭoȯoȱoȳyΐιάα" +
		"έεήηίιΰυϊιϋυόούυώωϓϒϔϒйиѐеёеѓгїі" +
		"ќкѝиўуѷѵӂжӑаӓаӗеӛәӝжӟзӣиӥиӧоӫөӭэ" +
		"ӯуӱуӳуӵчӹыآاأاؤوإائيۀەۂہۓےऩनऱरऴळ" +
		"क़कख़खग़गज़जड़डढ़ढफ़फय़यড়ডঢ়ঢয়যਲ਼ਲਸ਼ਸਖ਼ਖਗ਼ਗਜ਼ਜ" +
		"ਫ਼ਫଡ଼ଡଢ଼ଢགྷགཌྷཌདྷདབྷབཛྷཛཀྵཀဦဥḁaḃbḅbḇbḉcḋd" +
		"ḍdḏdḑdḓdḕeḗeḙeḛeḝeḟfḡgḣhḥhḧhḩhḫh" +
		"ḭiḯiḱkḳkḵkḷlḹlḻlḽlḿmṁmṃmṅnṇnṉnṋn" +
		"ṍoṏoṑoṓoṕpṗpṙrṛrṝrṟrṡsṣsṥsṧsṩsṫt" +
		"ṭtṯtṱtṳuṵuṷuṹuṻuṽvṿvẁwẃwẅwẇwẉwẋx" +
		"ẍxẏyẑzẓzẕzẖhẗtẘwẙyẛſạaảaấaầaẩaẫa" +
		"ậaắaằaẳaẵaặaẹeẻeẽeếeềeểeễeệeỉiịi" +
		"ọoỏoốoồoổoỗoộoớoờoởoỡoợoụuủuứuừu" +
		"ửuữuựuỳyỵyỷyỹyἀαἁαἂαἃαἄαἅαἆαἇαἐε" +
		"ἑεἒεἓεἔεἕεἠηἡηἢηἣηἤηἥηἦηἧηἰιἱιἲι" +
		"ἳιἴιἵιἶιἷιὀοὁοὂοὃοὄοὅοὐυὑυὒυὓυὔυ" +
		"ὕυὖυὗυὠωὡωὢωὣωὤωὥωὦωὧωὰαάαὲεέεὴη" +
		"ήηὶιίιὸοόοὺυύυὼωώωᾀαᾁαᾂαᾃαᾄαᾅαᾆα" +
		"ᾇαᾐηᾑηᾒηᾓηᾔηᾕηᾖηᾗηᾠωᾡωᾢωᾣωᾤωᾥωᾦω" +
		"ᾧωᾰαᾱαᾲαᾳαᾴαᾶαᾷαῂηῃηῄηῆηῇηῐιῑιῒι" +
		"ΐιῖιῗιῠυῡυῢυΰυῤρῥρῦυῧυῲωῳωῴωῶωῷω",
	)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}()
