"""Which language a file's column headers are written in, from the lexicon's words that English
does not share ("Fecha", "Importe", "Buchungsdatum" yes; "Total", "Data", "Service" no).

Every word listed here is one the lexicon reads (see ``lexicon``); a word ending in ``*`` is a stem
and also names the words that start with it ("buchung*" covers Buchungsdatum). A word several of
these languages share is listed under each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fintrace_pipeline.ingest.header_words import fold, header_words

MIN_WORDS = 2  # distinct non-English words before the headers count as written in a language

_LANGUAGE_WORDS: dict[str, str] = {
    "German": """datum daten uhrzeit zeitpunkt zeitstempel buchung* gebucht verbucht hauptbuch buchhaltung*
        zahlung* bezahlt ausgezahlt wertstellung bewegung* beleg* rechnung* ausgestellt erfass* eingabe
        eingegeben erstellt angelegt eingang faellig fallig genehmig* freigabe zeitraum jahr monat lieferung
        bestellung* auftrag* summe betrag* umsatz gesamt* steuer* mwst kontostand hauswahrung hauswaehrung
        fremdwahrung menge preis kurs rabatt soll haben belastung* gutschrift* kennzeichen vorzeichen nummer
        schlussel schluessel
        bezeichnung* beschreibung* bemerkung* kommentar* notiz zweck verwendungszweck zeile* konto* sachkonto
        gegenkonto kategorie* klasse gruppe aufwand* ausgabe* benutzer* sachbearbeiter bearbeiter erfasser
        mitarbeiter* karte* karteninhaber inhaber lieferant* kreditor* empfanger empfaenger glaubiger kunde*
        debitor debitoren strasse stadt gesellschaft unternehmen buchungskreis kosten* kostenstelle abteilung*
        bereich einheit projekt vertrag waehrung wahrung whrg quelle herkunft""",
    "French": """jour heure horodatage comptabilisation comptabilise comptable paiement* reglement valeur mouvement
        facture* saisie saisi cree creee recu echeance approbation approuve naissance periode
        annee mois livraison commande modifie systeme montant* somme ht ttc tva solde devise devises
        taux pourcentage remise quantite prix indicateur signe numero identifiant libelle intitule texte
        commentaire ligne entete ecriture* compte comptes contrepartie categorie rubrique depense*
        utilisateur* employe carte titulaire fournisseur* beneficiaire* creancier auxiliaire ville
        societe cout departement secteur projet contrat""",
    "Spanish": """fecha fec fch dia hora tiempo contabilizacion contabilizado contabilizada contable pago pagos pagado
        pagada valor operacion movimiento comprobante factura* emision emitido emitida creado creada creacion
        recepcion recibido recibida vencimiento aprobado aprobada aprobacion autorizado autorizacion periodo
        ejercicio mes inicio entrega pedido modificado sistema importe* monto* suma neto bruto impuesto* saldo*
        extranjera extranjero cantidad precio tasa porcentaje descuento debe haber credito debito indicador
        signo numero nro codigo clave nombre titulo descripcion comentario* concepto detalle detalles glosa
        objeto finalidad linea asiento asientos diario lote cuenta cuentas cta contrapartida tipo clase grupo
        gasto gastos estado usuario* empleado* tarjeta* proveedor* acreedor* beneficiario* cliente*
        tercero direccion ciudad pais empresa compania coste costo centro departamento servicio unidad fondo
        proyecto contrato moneda divisa origen""",
    "Portuguese": """dia hora lancamento lancamentos lancado contabilizacao contabil pagamento* valor operacao movimento
        fatura* emissao recebimento recebido recebida vencimento aprovado aprovada aprovacao autorizacao
        nascimento mes entrega pedido ordem alterado sistema soma liquido bruto imposto* saldo* estrangeira
        estrangeiro quantidade preco taxa percentagem desconto debito credito numero codigo chave nome titulo
        descricao historico finalidade linha razao conta contas tipo grupo despesa* estado utilizador*
        funcionario* cartao fornecedor* favorecido* credor* cliente* terceiro endereco cidade empresa
        sociedade custo centro departamento setor servico unidade fundo projeto contrato moeda origem""",
    "Italian": """giorno ora registrazione contabile pagamento* pagato pagata valore operazione movimento documento
        protocollo fattur* emissione creato creata creazione ricevimento ricevuta ricevuto scadenza approvato
        approvata approvazione autorizzato nascita anno mese consegna ordine modificato importo* ammontare
        lordo imposta saldo* straniera quantita prezzo tasso percentuale sconto avere indicatore segno
        numero codice chiave nome titolo descrizione testo commento causale riga testata giornale conto
        conti contropartita categoria tipo gruppo spesa spese stato utente* dipendente* carta titolare
        fornitor* creditore* cliente* indirizzo citta paese societa costo centro dipartimento settore servizio
        unita fondo progetto contratto valuta origine""",
    "Dutch": """datum dag tijd boeking geboekt boek grootboek boekhoud* betaling* betaald betaal waarde mutatie*
        transactie* boekstuk* factuur uitgifte ingevoerd invoer* aangemaakt ontvangst ontvangen verval*
        goedgekeurd goedkeuring geboorte periode jaar maand levering bestelling gewijzigd wijziging systeem
        bedrag* totaal saldo* hoeveelheid aantal prijs koers korting af bij nummer omschrijving* mededeling*
        kenmerk naam regel dagboek journaal rekening* tegenrekening groep soort gebruiker* medewerker* kaart*
        houder leverancier* crediteur* begunstigde* tegenpartij klant* relatie adres plaats bedrijf afdeling
        eenheid bron""",
    "Czech": """datum uhrad* platb* zaplac* prijeti doruceni splatnost* vystaven* schvalen* schvalil narozeni obdobi
        rok mesic objednavk* castka celkem zustatek cizi pocet sleva cislo kod nazev jmeno popis ucel radek
        radk* doklad* ucet uctu skupina uzivatel* drzitel dodavatel* prijemce odberatel* adresa mesto
        stredisko odbor zdroj mena zauctovani ucetni""",
    "Polish": """ksiegow* operacj* transakc* kwot* walut* opis tytul* nazw* kontrahent* odbiorca nadawca dostawca
        sprzedawca rachun* numer wartosc platnos* wystaw* podatek dzial koszt* mpk uzytkownik* saldo* faktur*
        konto*""",
    "Hungarian": "datum datuma neve osszeg leiras megjegyzes kozlemeny penznem konyveles ertek szallito tranzakc*",
}


def _split(listed: str) -> tuple[frozenset[str], tuple[str, ...]]:
    words = listed.split()
    return frozenset(w for w in words if not w.endswith("*")), tuple(w[:-1] for w in words if w.endswith("*"))


LANGUAGE_WORDS = {language: _split(listed) for language, listed in _LANGUAGE_WORDS.items()}
# Words these languages share with English headers: they tell nothing about the language.
_SHARED_WITH_ENGLISH = frozenset(" partner partners".split())


@dataclass(frozen=True)
class HeaderLanguage:
    language: str
    words: tuple[str, ...]  # the headers' words that are in it, in header order


def header_language(headers: Iterable[str]) -> HeaderLanguage | None:
    """The non-English language most of the headers' words are in, when at least ``MIN_WORDS``
    distinct words of it appear; None for English (or unknown) headers."""
    found: dict[str, list[str]] = {language: [] for language in LANGUAGE_WORDS}
    seen: set[str] = set()
    for header in headers:
        for word in header_words(header):
            folded = fold(word)
            if folded in seen or len(folded) < 2:
                continue
            seen.add(folded)
            for language in languages_of(folded):
                found[language].append(folded)
    language, words = max(found.items(), key=lambda item: len(item[1]))
    non_english = {w for listed in found.values() for w in listed}
    if len(non_english) < MIN_WORDS:
        return None
    return HeaderLanguage(language, tuple(words))


def languages_of(word: str) -> list[str]:
    """The languages a folded header word belongs to (none for English words)."""
    return [
        language
        for language, (words, stems) in LANGUAGE_WORDS.items()
        if word in words or any(word.startswith(stem) for stem in stems)
    ]
