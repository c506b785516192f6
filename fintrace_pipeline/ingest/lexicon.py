"""The words accounting exports use in their column headers, by the idea each word names.

Words are folded (lower case, no accents). A word ending in ``*`` is a stem: it also names words
that start with it ("faktur*" covers faktura, faktury, fakturu). Most words come from the ERPs, banks
and public bodies of English, German, French, Spanish, Portuguese, Italian and Dutch speaking
countries; a few Czech, Slovak, Polish and Hungarian words cover the headers of Central European
exports (often ASCII-folded).
A word may name more than one idea ("wertstellung" is a value date).
"""

from __future__ import annotations

from collections.abc import Iterable

# --- ideas ----------------------------------------------------------------------------------------
# when
DATE, DAY, TIME, TIMESTAMP, ON = "date", "day", "time", "timestamp", "on"
POST, GL, ACCOUNTING, PAY, VALUE, VALUTA = "post", "gl", "accounting", "pay", "value", "valuta"
TRANSACTION, EFFECTIVE, DOCUMENT, INVOICE, ISSUE = "transaction", "effective", "document", "invoice", "issue"
ENTRY, CREATE, RECEIVED, DUE, APPROVE, BIRTH = "entry", "create", "received", "due", "approve", "birth"
PERIOD, YEAR, MONTH, START, END = "period", "year", "month", "start", "end"
DELIVERY, ORDER, MODIFY, SYSTEM = "delivery", "order", "modify", "system"
# how much
AMOUNT, TOTAL, MONEY, NET, GROSS, TAX, BALANCE = "amount", "total", "money", "net", "gross", "tax", "balance"
LOCAL, FOREIGN, ORIGINAL, BILLING, SIGNED = "local", "foreign", "original", "billing", "signed"
QUANTITY, PRICE, RATE, PERCENT, COUNT = "quantity", "price", "rate", "percent", "count"
LIMIT, BUDGET, DISCOUNT = "limit", "budget", "discount"
DEBIT, CREDIT, INDICATOR, SIGN, DC = "debit", "credit", "indicator", "sign", "debit/credit"
# which
NUMBER, ID, CODE, REFERENCE, NAME = "number", "id", "code", "reference", "name"
DESCRIPTION, PURPOSE, LINE, HEADER = "description", "purpose", "line", "header"
JOURNAL, BATCH, ACCOUNT, CONTRA, BANK = "journal", "batch", "account", "contra", "bank"
CATEGORY, KIND, EXPENSE, STATUS, METHOD = "category", "kind", "expense", "status", "method"
# who
USER, BY, PREPARE, EMPLOYEE, CARD, HOLDER = "user", "by", "prepare", "employee", "card", "holder"
VENDOR, CUSTOMER, PARTNER, ADDRESS, COMPANY = "vendor", "customer", "partner", "address", "company"
# where in the organisation
COST, CENTER, PROFIT, DEPARTMENT, SERVICE, PROGRAM = "cost", "center", "profit", "department", "service", "program"
DIVISION, ORG, UNIT, BUSINESS, AREA, FUND = "division", "org", "unit", "business", "area", "fund"
DIMENSION, PROJECT, CONTRACT = "dimension", "project", "contract"
CURRENCY, SOURCE, MODULE = "currency", "source", "module"

# Words that only join others ("date of payment", "fecha de pago", "centro di costo").
STOPWORDS = frozenset(
    """of the a an and or for in im en em et und y e to from de del della dello dei des du la le les
    el los las lo do dos das di van der den het zu zum zur fur pour para per i z na ze s""".split()
)
# Words after which a header names what is left out: "Amount excl. VAT", "Umsatz (ohne Soll/Haben-Kz)".
NEGATIONS = frozenset("without excl excluding ex exkl exklusive ohne sans hors sin sem senza zonder bez".split())
# Currency codes that qualify a header ("Amount (USD)", "Betrag EUR"). Codes that are also words
# ("ALL", "TOP", "CUP") are left out.
CURRENCY_CODES = frozenset(
    """usd eur gbp chf jpy cad aud nzd sek nok dkk pln czk huf inr cny brl mxn zar sgd hkd krw ron bgn
    try rub ils thb myr php idr clp cop pen ars""".split()
)

_VOCABULARY: dict[tuple[str, ...], str] = {
    (DATE,): """date dates dated dt dte datum daten datuma fecha fec fch data dato datas""",
    (DATE, TIME): "datetime zeitpunkt",
    (DAY,): "day tag dia jour giorno dag",
    (TIME,): "time zeit uhrzeit heure hora ora tijd tiempo orario",
    (TIMESTAMP,): "timestamp timestamps zeitstempel horodatage",
    (ON,): "on at am op",
    (POST,): """posting postings posted post pstng pstg booking booked buchung* gebucht verbucht boeking
        geboekt boek comptabilisation comptabilise contabilizacion contabilizado contabilizada contabilizacao
        contabilizzazione zauctovani ksiegow* konyveles""",
    (POST, JOURNAL): "lancamento lancamentos lancado registrazione",
    (GL,): "gl g/l ledger ledgers hauptbuch grootboek razao mayor",
    (ACCOUNTING,): "accounting accounted contable contabil contabile comptable buchhaltung* boekhoud* ucetni",
    (PAY,): """pay paid payment payments check checks cheque cheques chq disbursement disbursed remittance
        remitted warrant settlement settled zahlung* bezahlt ausgezahlt paiement* paye reglement pago pagos
        pagado pagada pagament* pagato pagata betaling* betaald betaal uhrad* platb* zaplac* platnos*""",
    (VALUE,): "value valeur valor valore waarde wert rente wartosc ertek",
    (VALUE, DATE): "wertstellung",
    (VALUTA,): "valuta",
    (TRANSACTION,): """transaction transactions trans txn trx tran tx transac* transaz* transakt* transactie*
        operation operations operacion operacao operazione operace mouvement movimiento movimento
        mutatie* bewegung* purchase purchases operacj* transakc* tranzakc*""",
    (EFFECTIVE,): "effective eff efectiva efectivo efetiva efetivo effettiva effettivo wirksam",
    (DOCUMENT,): """document documents doc docs documento documentos beleg* piece voucher vouchers
        comprobante boekstuk* doklad* protocollo""",
    (INVOICE,): "invoice invoices inv bill bills rechnung* facture* factura* fatura* fattur* factu* faktur* nf",
    (ISSUE,): """issue issued issuance emission emissao emision emitido emitida emissione ausstellung
        ausgestellt uitgifte vystaven* wystaw*""",
    (ENTRY,): """entry entries entered enter input inputted keyed erfass* eingabe eingegeben saisie saisi
        inserimento inserito immissione ingevoerd invoer* digitado""",
    (ENTRY, USER): "erfasser",
    (CREATE,): """created creation create erstellt erstellung angelegt cree creee creado creada creacion
        criado criada criacao creato creata creazione aangemaakt gemaakt aanmaak* added hinzugefugt hinzugefuegt
        ajout ajoute alta anadido adicionado aggiunto toegevoegd""",
    (CREATE, USER): "creator",
    (RECEIVED,): """received receipt receiving eingang eingegangen reception recu recepcion recibido recibida
        recebimento recebido recebida ricevimento ricevuta ricevuto ontvangst ontvangen prijeti doruceni""",
    (DUE,): """due maturity expiry expiration fallig faellig falligkeit* faelligkeit* echeance vencimiento
        vencimento scadenza verval* splatnost*""",
    (APPROVE,): """approved approval approver approve approv* authorised authorized authorisation
        authorization authoriser authorizer auth reviewer reviewed review checker released release
        genehmig* freigabe freigegeben freigeber approbation approuve valid validation valide validado
        aprobado aprobada aprobacion aprovado aprovada aprovacao autorizado autorizacion autorizacao
        approvato approvata approvazione autorizzato goedgekeurd goedkeuring schvalen* schvalil""",
    (BIRTH,): "birth geburt* naissance nacimiento nascimento nascita geboorte narozeni",
    (PERIOD,): "period periods periode periodo fiscal zeitraum obdobi",
    (YEAR,): "year years yr fy jahr annee ano anno jaar rok ejercicio exercice geschaftsjahr",
    (MONTH,): "month months monat mois mes mese maand mesic",
    (START,): "start begin beginning inicio debut",
    (END,): "end ending until",
    (DELIVERY,): "delivery delivered lieferung geliefert livraison entrega consegna levering",
    (ORDER,): "order orders po bestellung* auftrag* commande pedido ordine ordem bestelling objednavk*",
    (MODIFY,): """modified modify changed change updated update last geandert geaendert anderung aenderung
        modifie modificado alterado modificato gewijzigd wijziging""",
    (SYSTEM,): "system systems systeme sistema systeem",
    # how much
    (AMOUNT,): """amount amounts amt amnt sum summe betrag* montant* somme importe* monto* importo* ammontare
        bedrag* castka suma soma kwot* osszeg""",
    (AMOUNT, TRANSACTION): "umsatz",
    (TOTAL,): "total totals gesamt* totaal celkem",
    (NET,): "net nett netto neto liquido ht",
    (GROSS,): "gross brutto bruto lordo ttc",
    (TAX,): """tax taxes vat gst hst pst mwst ust umsatzsteuer steuer* tva iva btw dph impuesto* imposto*
        imposta podatek""",
    (BALANCE,): "balance balances saldo* solde kontostand zustatek",
    (LOCAL,): "local lc loc hw functional base",
    (LOCAL, CURRENCY): "hauswahrung hauswaehrung",
    (FOREIGN,): "foreign fremd fx extranjera extranjero estrangeira estrangeiro straniera vreemde cizi",
    (FOREIGN, CURRENCY): "fremdwahrung fremdwaehrung",
    (ORIGINAL,): "original orig ursprung* originale",
    (BILLING,): "billing billed",
    (SIGNED,): "signed",
    (QUANTITY,): "quantity qty menge quantite cantidad quantidade quantita hoeveelheid aantal pocet",
    (PRICE,): "price prices preis prix precio preco prezzo prijs cena",
    (RATE,): "rate rates kurs taux tasa tasso taxa koers",
    (PERCENT,): "percent percentage pct prozent pourcentage porcentaje percentagem percentuale procent",
    (COUNT,): "count anzahl",
    (LIMIT,): "limit limits limite",
    (BUDGET,): "budget budgets presupuesto orcamento",
    (DISCOUNT,): "discount rabatt remise descuento desconto sconto korting sleva",
    (DEBIT,): "debit debits dr debe debito debet dare soll belastung* withdrawal withdrawals outflow af",
    (CREDIT,): "credit credits cr haber haben credito avere gutschrift* deposit deposits inflow bij",
    (INDICATOR,): "indicator ind flag kennzeichen kz indicateur indicador indicatore sens",
    (SIGN,): "sign vorzeichen signe signo segno polarity",
    (DC,): "d/c s/h shkzg drcr",
    # which
    (NUMBER,): "number numbers no nr nbr num numb nro nummer numero numer cislo",
    (ID,): "id ids identifier ident identifiant identificador identificativo identificatie guid uuid",
    (CODE,): "code codes kod kode codigo codice kennziffer schlussel schluessel key clave chave chiave",
    (REFERENCE,): "reference references ref refs referen* kenmerk",
    (NAME,): """name names nom nombre nome naam jmeno nazev nazw* nev neve bezeichnung* designation title titel
        titulo titolo titre""",
    (NAME, DESCRIPTION): "libelle lib intitule",
    (NAME, COMPANY): "firmenname razonsocial",
    (DESCRIPTION,): """description desc descr descri* memo memos narrative narration details detail text
        texte texto testo tekst comment comments comentario* commento commentaire kommentar* remark
        remarks bemerkung* observation observa* note notes notiz explanation particulars glosa concepto
        detalle detalles historico motif causale omschrijving* mededeling* popis opis tytul* beschreibung*
        info information reason leiras megjegyzes kozlemeny""",
    (PURPOSE,): "purpose zweck verwendungszweck objeto finalidade finalidad doel ucel motivo",
    (LINE,): "line lines ln zeile* ligne linea linha riga regel radek radk* item items pos position",
    (HEADER,): "header head kopf entete cabecera cabecalho testata",
    (JOURNAL,): """journal journals je jnl jrnl journaal dagboek asiento asientos ecriture* primanota diario
        giornale""",
    (BATCH,): "batch batches stapel lote lotto",
    (ACCOUNT,): """account accounts acct acc accnt a/c ac comp konto konten kto sachkonto compte comptes cuenta
        cuentas cta conta contas conto conti rekening* ucet uctu rachun* nominal subjective subj coa""",
    (CONTRA, ACCOUNT): "gegenkonto tegenrekening contrapartida contrepartie contropartita split",
    (CONTRA,): "contra offset gegen tegen counter",
    (BANK,): "bank banks banque banco banca iban bic swift routing aba bankowe bankowy bankovni",
    (BANK, ACCOUNT): "bankverbindung bankrekening rib",
    # Tax and company registration numbers by country (EIN, SIRET, NIF, NIP, DIČ, IČO, CNPJ ...).
    (TAX, ID): """tin ein ssn itin siret siren nif cif nie nipc cnpj cpf nip regon dic ico ustid ustidnr
        steuernummer steuernr btwnummer""",
    (CATEGORY,): "category categories cat categ* kategorie* categorie categoria rubrique rubro rubrica nature",
    (KIND,): """type types kind typ tipo art class classe klasse clase group gruppe groupe grupo gruppo
        groep skupina soort sorte""",
    (EXPENSE,): """expense expenses expenditure expenditures spend spending spent outlay aufwand*
        ausgabe* depense* gasto gastos despesa* spesa spese uitgave* vydaj* naklad*""",
    (STATUS,): "status state estado stato zustand",
    (METHOD,): "method methode metodo mode modo",
    # who
    (USER,): """user users usr username userid uname login operator clerk benutzer* anwender* utilisateur*
        usuario* utilizador* utente* gebruiker* uzivatel* uzytkownik* maker originator initiator requester requestor
        submitter sachbearbeiter bearbeiter""",
    (USER, PREPARE): "preparer",
    (BY,): "by von par por door da",
    (PREPARE,): "prepared preparation prepare",
    (EMPLOYEE,): """employee employees emp staff mitarbeiter* employe empleado* funcionario* dipendente* medewerker*
        pracownik* zamestnan*""",
    (EMPLOYEE, NUMBER): "personalnummer personalnr matricule matricula matricola personeelsnummer",
    (CARD,): "card cards karte* carte carta tarjeta* cartao kaart*",
    (CARD, HOLDER): "cardholder cardholders karteninhaber",
    (HOLDER,): "holder holders inhaber titular titulaire titolare houder drzitel",
    (VENDOR,): """vendor vendors vend vndr supplier suppliers supp suplr payee payees beneficiary
        beneficiaries merchant merchants creditor creditors counterparty counterparties lieferant* kreditor*
        empfanger empfaenger begunstigter beguenstigter glaubiger glaeubiger fournisseur* beneficiaire*
        creancier tiers proveedor* acreedor* beneficiario* fornecedor* favorecido* credor* fornitor*
        creditore* leverancier* crediteur* begunstigde* tegenpartij dodavatel* prijemce odbiorca dostawca
        sprzedawca szallito""",
    (CUSTOMER,): "customer customers cust client clients kunde* cliente* klant* odberatel* debitor debitoren",
    (PARTNER,): "partner* party aux auxiliaire tercero terceiro contact contacts relatie kontrahent* nadawca",
    (ADDRESS,): """address addresses adresse direccion endereco indirizzo adres adresa street strasse city
        stadt ville ciudad cidade citta mesto postcode zip postal plz country pays pais paese phone telefon
        telephone email mail fax anschrift domicilio morada""",
    (COMPANY,): """company companies firma gesellschaft unternehmen buchungskreis societe empresa compania
        sociedade societa bedrijf entity""",
    # where in the organisation
    (COST,): "cost costs kosten kost cout coste costo custo koszt*",
    (COST, CENTER): "kst stredisko costcenter costcentre mpk",
    (CENTER,): "center centre centro zentrum stelle plaats",
    (PROFIT,): "profit beneficio lucro",
    (DEPARTMENT,): """department departments dept dep depto departement departamento dipartimento afdeling
        abteilung* directorate directorates direction odbor dzial""",
    (DIVISION,): "division divisions bereich sector secteur setor settore",
    (SERVICE,): "service services dienst servicio servico servizio",
    (PROGRAM,): "program programs programme programmes programa programma function activity",
    (ORG,): "org organi* organisatie",
    (UNIT,): "unit units einheit unite unidad unidade unita eenheid",
    (BUSINESS, UNIT): "bu",
    (BUSINESS,): "business geschaft",
    (AREA,): "area areas zone region",
    (FUND,): "fund funds fonds fondo fundo",
    (DIMENSION,): "dimension dimensions dim segment segments",
    (PROJECT,): "project projects projekt projet proyecto projeto progetto wbs",
    (CONTRACT,): "contract contracts vertrag contrat contrato contratto",
    (CURRENCY,): """currency currencies ccy curr cur crcy waehrung wahrung whrg devise devises moneda divisa
        moeda mena walut* penznem""",
    (CURRENCY, CODE): "wkz",
    (SOURCE,): "source sources src origin origine origen origem quelle herkunft bron zdroj",
    (MODULE,): "module modul modulo",
}

# Two-word names that mean something neither word does alone.
PHRASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("nota", "fiscal"): (INVOICE,),
    ("grand", "livre"): (GL,),
    ("paid", "out"): (DEBIT,),
    ("money", "out"): (DEBIT,),
    ("paid", "in"): (CREDIT,),
    ("money", "in"): (CREDIT,),
    ("mw", "st"): (TAX,),
    ("purchase", "order"): (ORDER,),
    ("third", "party"): (VENDOR,),
    ("u", "st"): (TAX,),
    ("partita", "iva"): (TAX, ID),
    ("codice", "fiscale"): (TAX, ID),
    ("raison", "sociale"): (NAME, COMPANY),
    ("razon", "social"): (NAME, COMPANY),
}

# Short words that may end a compound ("Belegnr", "Kontonr", "Soll/Haben-Kz").
COMPOUND_ENDINGS = frozenset({"nr", "no", "id", "kz"})


def _entries() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    words: dict[str, tuple[str, ...]] = {}
    stems: dict[str, tuple[str, ...]] = {}
    for concepts, listed in _VOCABULARY.items():
        for entry in listed.split():
            table, key = (stems, entry[:-1]) if entry.endswith("*") else (words, entry)
            table[key] = tuple(dict.fromkeys((*table.get(key, ()), *concepts)))
    return words, stems


WORDS, STEMS = _entries()


def concepts_named(words: Iterable[str]) -> set[str]:
    """Every idea the given (folded) dictionary words name."""
    found: set[str] = set()
    for word in words:
        found.update(WORDS.get(word, ()))
    return found
